#include "webhooks/sender.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <variant>

#include "webhooks/address_policy.h"

namespace tt::webhooks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

SendOutcome Failure(std::string error) {
  SendOutcome outcome;
  outcome.error = std::move(error);
  return outcome;
}

std::string Describe(const boost::system::error_code& error, const SenderOptions& options) {
  if (error == beast::error::timeout) {
    return "timed out after " + std::to_string(options.timeout.count()) + " ms";
  }
  return error.message();
}

// Where to send, from the URL.
struct Target {
  bool https = false;
  std::string host;  // a name or an address, without brackets
  std::string port;
  std::string host_header;
  std::string path_and_query;
};

std::optional<Target> ParseTarget(std::string_view url) {
  boost::system::result<boost::urls::url_view> parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || !parsed->has_authority() || parsed->encoded_host().empty()) return std::nullopt;
  // An IPvFuture literal ("[v1.x]") is no address a socket can use; it must not reach DNS.
  if (parsed->host_type() == boost::urls::host_type::ipvfuture) return std::nullopt;
  Target target;
  if (parsed->scheme_id() == boost::urls::scheme::https) {  // any letter case
    target.https = true;
  } else if (parsed->scheme_id() != boost::urls::scheme::http) {
    return std::nullopt;
  }
  target.host = parsed->host_address();
  target.port = parsed->has_port() ? std::string(parsed->port()) : (target.https ? "443" : "80");
  target.host_header = std::string(parsed->encoded_host_and_port());
  // "https://host?x=1" has a query and no path: the request line needs "/?x=1".
  target.path_and_query = std::string(parsed->encoded_path());
  if (target.path_and_query.empty()) target.path_and_query = "/";
  if (parsed->has_query()) target.path_and_query += "?" + std::string(parsed->encoded_query());
  return target;
}

// A name lookup that outlives its caller: Asio's resolver cannot be cancelled (getaddrinfo runs
// to its end on the context's resolver thread), so the caller waits on `wake`, which the lookup's
// completion or the deadline ends, and leaves the lookup behind when the deadline comes first.
struct Lookup {
  Lookup(const asio::any_io_executor& executor, Clock::time_point deadline)
      : resolver(executor), wake(executor, deadline) {}
  tcp::resolver resolver;
  asio::steady_timer wake;
  bool done = false;
  boost::system::error_code error;
  tcp::resolver::results_type results;
};

// Resolves `target` and keeps the addresses the options allow, all before `deadline`.
asio::awaitable<std::variant<std::vector<tcp::endpoint>, std::string>> ResolveAllowed(
    const Target& target, const SenderOptions& options, Clock::time_point deadline) {
  auto lookup = std::make_shared<Lookup>(co_await asio::this_coro::executor, deadline);
  lookup->resolver.async_resolve(
      target.host, target.port,
      [lookup](const boost::system::error_code& error, tcp::resolver::results_type results) {
        lookup->done = true;
        lookup->error = error;
        lookup->results = std::move(results);
        lookup->wake.cancel();
      });
  co_await lookup->wake.async_wait(kNoThrow);
  if (!lookup->done) co_return "timed out resolving " + target.host;
  const boost::system::error_code error = lookup->error;
  const tcp::resolver::results_type results = lookup->results;
  if (error) co_return "cannot resolve " + target.host + ": " + error.message();
  std::vector<tcp::endpoint> allowed;
  for (const tcp::resolver::results_type::value_type& entry : results) {
    if (options.allow_private || IsPublicAddress(entry.endpoint().address())) {
      allowed.push_back(entry.endpoint());
    }
  }
  if (allowed.empty()) {
    co_return target.host +
        " resolves to no public address (refused: loopback, private and "
        "link-local destinations need --webhook-allow-private)";
  }
  co_return allowed;
}

// Writes the request and reads the answer's head and at most max_response_bytes of its body.
template <typename Stream>
asio::awaitable<SendOutcome> Exchange(Stream& stream, const Target& target,
                                      const OutgoingWebhook& webhook,
                                      const SenderOptions& options) {
  http::request<http::string_body> request{http::verb::post, target.path_and_query, 11};
  request.set(http::field::host, target.host_header);
  request.set(http::field::user_agent, "track-tracker-webhooks/1");
  for (const auto& [name, value] : webhook.headers) request.set(name, value);
  request.set(http::field::connection, "close");
  request.body() = webhook.body;
  request.prepare_payload();
  auto [write_error, written] = co_await http::async_write(stream, request, kNoThrow);
  if (write_error) co_return Failure("sending: " + Describe(write_error, options));

  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::string_body>> parser;
  // Interim answers (100 Continue, 103 Early Hints) are skipped: the final one counts.
  do {
    parser.emplace();
    // No limit for the head: a Content-Length above the limit would fail it and lose the status.
    parser->body_limit(std::numeric_limits<std::uint64_t>::max());
    auto [head_error, head_bytes] =
        co_await http::async_read_header(stream, buffer, *parser, kNoThrow);
    if (head_error) co_return Failure("reading the answer: " + Describe(head_error, options));
  } while (parser->get().result_int() / 100 == 1);
  SendOutcome outcome;
  outcome.status = static_cast<int>(parser->get().result_int());
  // The body only matters to the receiver; reading it (up to the limit) lets the receiver finish
  // its answer before the connection closes. A failure past the head changes nothing.
  const boost::optional<std::uint64_t> length = parser->content_length();
  if (length.has_value() && *length > options.max_response_bytes) {
    outcome.body_truncated = true;  // not read at all: the connection closes here
    co_return outcome;
  }
  parser->body_limit(options.max_response_bytes);  // for chunked bodies and bodies to EOF
  auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, *parser, kNoThrow);
  outcome.body_truncated = body_error == http::error::body_limit;
  co_return outcome;
}

}  // namespace

asio::awaitable<SendOutcome> SendWebhook(const OutgoingWebhook& webhook,
                                         const SenderOptions& options) {
  const Clock::time_point deadline = Clock::now() + options.timeout;
  const std::optional<Target> target = ParseTarget(webhook.url);
  if (!target) co_return Failure("not an http or https URL");
  if (!target->https && !options.allow_private) {
    co_return Failure("plain http is refused (it needs --webhook-allow-private)");
  }
  if (target->https && options.tls == nullptr) co_return Failure("https is not configured");

  auto resolved = co_await ResolveAllowed(*target, options, deadline);
  if (std::string* error = std::get_if<std::string>(&resolved)) co_return Failure(*error);
  const std::vector<tcp::endpoint>& endpoints = std::get<0>(resolved);

  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  if (!target->https) {
    beast::tcp_stream stream(executor);
    stream.expires_at(deadline);
    auto [connect_error, connected] = co_await stream.async_connect(endpoints, kNoThrow);
    if (connect_error) co_return Failure("connecting: " + Describe(connect_error, options));
    co_return co_await Exchange(stream, *target, webhook, options);
  }

  beast::ssl_stream<beast::tcp_stream> stream(executor, *options.tls);
  beast::get_lowest_layer(stream).expires_at(deadline);
  auto [connect_error, connected] =
      co_await beast::get_lowest_layer(stream).async_connect(endpoints, kNoThrow);
  if (connect_error) co_return Failure("connecting: " + Describe(connect_error, options));
  boost::system::error_code address_error;
  asio::ip::make_address(target->host, address_error);
  // SNI carries names only (RFC 6066); the certificate is checked against the name or address.
  if (address_error &&
      SSL_set_tlsext_host_name(stream.native_handle(), target->host.c_str()) != 1) {
    co_return Failure("TLS: cannot set the server name");
  }
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback(ssl::host_name_verification(target->host));
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::client, kNoThrow);
  if (handshake_error) co_return Failure("TLS handshake: " + Describe(handshake_error, options));
  co_return co_await Exchange(stream, *target, webhook, options);
}

}  // namespace tt::webhooks
