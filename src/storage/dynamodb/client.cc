#include "storage/dynamodb/client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include "storage/dynamodb/call_slots.h"
#include "storage/dynamodb/connection_pool.h"
#include "storage/dynamodb/deadline.h"
#include "storage/dynamodb/endpoint.h"
#include "storage/dynamodb/sigv4.h"

namespace tt::dynamodb {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using HttpRequest = bhttp::request<bhttp::string_body>;
using HttpResponse = bhttp::response<bhttp::string_body>;

// Expected I/O outcomes (refused, reset, timed out) come back as error codes, never exceptions.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

constexpr std::string_view kTargetPrefix = "DynamoDB_20120810.";
constexpr std::string_view kContentType = "application/x-amz-json-1.0";
constexpr std::string_view kUserAgent = "track-tracker";
constexpr std::string_view kSigningService = "dynamodb";
// DynamoDB answers stay under a few MiB (1 MiB pages, 16 MiB BatchGetItem): a longer body is
// not DynamoDB, and reading it whole would only let a broken endpoint exhaust memory.
constexpr uint64_t kMaxResponseBodyBytes = 64 * 1024 * 1024;
// How much of a non-JSON body to quote in the log: enough to recognise a proxy's error page.
constexpr size_t kLoggedBodyPrefix = 120;

// What one exchange (send the request, read the answer) on a connection came to.
struct Exchanged {
  error_code error;             // set when no whole answer arrived
  bool answer_started = false;  // a byte of the answer arrived
  bool reusable = false;        // the connection may carry another request
  HttpResponse response;
};

template <typename Stream>
asio::awaitable<Exchanged> ExchangeOn(Stream& stream, beast::flat_buffer& buffer,
                                      const HttpRequest& request) {
  Exchanged exchanged;
  auto [write_error, written] = co_await bhttp::async_write(stream, request, kNoThrow);
  if (write_error) {
    exchanged.error = write_error;
    co_return exchanged;
  }
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxResponseBodyBytes);
  auto [read_error, read] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
  if (read_error) {
    exchanged.error = read_error;
    exchanged.answer_started = parser.got_some() || buffer.size() > 0;
    co_return exchanged;
  }
  exchanged.answer_started = true;
  exchanged.reusable = parser.get().keep_alive() && !parser.need_eof() && buffer.size() == 0;
  exchanged.response = parser.release();
  co_return exchanged;
}

// How one attempt ended: with the call's result, or with a failure worth retrying.
struct Outcome {
  std::optional<Result<Reply>> result;
  bool throttled = false;  // retryable because DynamoDB throttled the request
  std::string cause;       // retryable: what failed, for the logs

  static Outcome Final(Result<Reply> result) { return Outcome{std::move(result), false, {}}; }
  static Outcome Retry(std::string cause, bool throttled = false) {
    return Outcome{std::nullopt, throttled, std::move(cause)};
  }
};

bool IsThrottling(std::string_view error_type) {
  return error_type == "ProvisionedThroughputExceededException" ||
         error_type == "ThrottlingException" || error_type == "RequestLimitExceeded" ||
         error_type == "LimitExceededException";
}

// `__type` without its namespace ("com.amazonaws.dynamodb.v20120810#ThrottlingException") and
// without the documentation suffix some AWS services append after a colon, as the SDKs do.
std::string ErrorTypeName(std::string_view type) {
  if (size_t hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  if (size_t colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  return std::string(type);
}

// A printable prefix of a body that is not JSON, for the log.
std::string Quote(std::string_view body) {
  std::string quoted;
  for (char c : body.substr(0, kLoggedBodyPrefix)) {
    quoted += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  if (body.size() > kLoggedBodyPrefix) quoted += "...";
  return quoted;
}

std::string Describe(const error_code& error, bool timed_out, std::chrono::milliseconds timeout) {
  if (timed_out) return "timed out after " + std::to_string(timeout.count()) + " ms";
  return error.message();
}

}  // namespace

struct Client::Impl {
  Impl(ClientOptions client_options, Logger& client_logger)
      : options(std::move(client_options)),
        logger(client_logger),
        endpoint(ParseEndpoint(options.settings.endpoint)),
        pool(std::make_shared<ConnectionPool>(options.max_idle_connections)),
        slots(options.max_in_flight),
        random(std::random_device{}()) {
    if (endpoint.tls) {
      tls_context.emplace(ssl::context::tls_client);
      // The system's CA certificates (or SSL_CERT_FILE / SSL_CERT_DIR when set); every
      // connection also checks that the certificate names the endpoint's host.
      tls_context->set_default_verify_paths();
      tls_context->set_verify_mode(ssl::verify_peer);
      SSL_CTX_set_min_proto_version(tls_context->native_handle(), TLS1_2_VERSION);
    }
  }

  asio::awaitable<Result<Reply>> Run(asio::any_io_executor io, std::string operation,
                                     std::string body, std::atomic<uint64_t>& attempts,
                                     std::atomic<uint64_t>& refused_as_busy) {
    std::string failure;
    try {
      if (!co_await slots.Acquire(options.queue_timeout)) {
        asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
        if (state.cancelled() == asio::cancellation_type::none) {
          NoteRefusal(refused_as_busy.fetch_add(1, std::memory_order_relaxed) + 1);
          co_return Error::Unavailable("the database is busy, try again");
        }
      } else {
        HeldSlot held(slots);
        co_return co_await RunAttempts(std::move(io), operation, std::move(body), attempts);
      }
    } catch (const boost::system::system_error& e) {
      if (e.code() != asio::error::operation_aborted) failure = e.what();
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      logger.Error("dynamodb " + operation + " failed with an exception: " + failure);
      co_return Error::Internal();
    }
    // Cancelled: nobody waits for the answer, so there is nothing to report.
    if (logger.Enabled(LogLevel::kDebug)) {
      logger.Log(LogLevel::kDebug, "dynamodb " + operation + ": cancelled");
    }
    co_return Error::Unavailable();
  }

  asio::awaitable<Result<Reply>> RunAttempts(asio::any_io_executor io, const std::string& operation,
                                             std::string body, std::atomic<uint64_t>& attempts) {
    Result<std::string> payload_hash = Sha256Hex(body);
    if (!payload_hash) {
      logger.Error("dynamodb " + operation + ": cannot hash the request body");
      co_return payload_hash.error();
    }
    HttpRequest request{bhttp::verb::post, "/", 11};
    request.set(bhttp::field::host, endpoint.host_header);
    request.set(bhttp::field::content_type, kContentType);
    request.set("X-Amz-Target", std::string(kTargetPrefix) + operation);
    request.set(bhttp::field::user_agent, kUserAgent);
    request.body() = std::move(body);
    request.prepare_payload();

    asio::execution_context& context = asio::query(io, asio::execution::context);
    asio::steady_timer pause(co_await asio::this_coro::executor);
    const int max_attempts = std::max(1, options.max_attempts);
    Outcome last;
    for (int attempt = 0; attempt < max_attempts; ++attempt) {
      attempts.fetch_add(1, std::memory_order_relaxed);
      // Signed again for each attempt: the signature carries the time, and DynamoDB refuses
      // one that is too old.
      if (Status signed_now = Sign(request, *payload_hash); !signed_now.ok()) {
        logger.Error("dynamodb " + operation + ": cannot sign the request");
        co_return std::move(signed_now).error();
      }
      last = co_await Attempt(io, context, request, operation);
      if (last.result) co_return std::move(*last.result);
      if (attempt + 1 == max_attempts) break;
      const std::chrono::milliseconds delay = Backoff(attempt);
      if (logger.Enabled(LogLevel::kDebug)) {
        logger.Log(LogLevel::kDebug, "dynamodb " + operation + " attempt " +
                                         std::to_string(attempt + 1) + " of " +
                                         std::to_string(max_attempts) + " failed (" + last.cause +
                                         "), retrying in " + std::to_string(delay.count()) + " ms");
      }
      pause.expires_after(delay);
      co_await pause.async_wait(kNoThrow);
    }
    logger.Warn("dynamodb " + operation + " to " + endpoint.display + " failed after " +
                std::to_string(max_attempts) + " attempts: " + last.cause);
    co_return Error::Unavailable(last.throttled ? "DynamoDB is throttling requests"
                                                : "DynamoDB is unreachable");
  }

  // Under overload refusals come by the thousand: one warning a second says enough.
  void NoteRefusal(uint64_t refused_so_far) {
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    int64_t last = last_refusal_warning_ms.load(std::memory_order_relaxed);
    if (now - last < 1'000 || !last_refusal_warning_ms.compare_exchange_strong(last, now)) return;
    logger.Warn("dynamodb: busy, calls refused so far: " + std::to_string(refused_so_far) +
                " (no place among max_in_flight " + std::to_string(options.max_in_flight) +
                " came free within " + std::to_string(options.queue_timeout.count()) + " ms)");
  }

  Status Sign(HttpRequest& request, const std::string& payload_hash) const {
    const std::vector<HttpHeader> headers = {
        {"Host", endpoint.host_header},
        {"Content-Type", std::string(kContentType)},
        {"Content-Length", std::to_string(request.body().size())},
        {"X-Amz-Target", std::string(request["X-Amz-Target"])},
    };
    const RequestToSign to_sign{"POST", "/", "", headers, request.body(), payload_hash};
    const SigningScope scope{options.settings.region, std::string(kSigningService),
                             std::chrono::system_clock::now()};
    Result<std::vector<HttpHeader>> signature =
        SignRequest(to_sign, options.settings.credentials, scope);
    if (!signature) return signature.error();
    for (const HttpHeader& header : *signature) request.set(header.name, header.value);
    return Status::Ok();
  }

  // One attempt: on an idle connection if there is one, else (or when that one turns out to
  // have been closed by the server while idle) on a new connection.
  asio::awaitable<Outcome> Attempt(const asio::any_io_executor& io,
                                   asio::execution_context& context, const HttpRequest& request,
                                   const std::string& operation) {
    const asio::any_io_executor strand = co_await asio::this_coro::executor;
    if (std::unique_ptr<Connection> pooled = pool->Take(context)) {
      Deadline deadline(strand, options.attempt_timeout);
      deadline.Watch(&pooled->socket());
      Exchanged exchanged = co_await Exchange(*pooled, request);
      const bool timed_out = deadline.expired();
      deadline.Disarm();
      if (!exchanged.error) {
        co_return Conclude(std::move(pooled), std::move(exchanged), timed_out, operation);
      }
      if (exchanged.answer_started || timed_out) {
        co_return Outcome::Retry(Describe(exchanged.error, timed_out, options.attempt_timeout));
      }
      // Closed by the server before our request reached it (a keep-alive timeout racing our
      // reuse, a restart): DynamoDB did not fail, so this does not count as an attempt.
      if (logger.Enabled(LogLevel::kDebug)) {
        logger.Log(LogLevel::kDebug, "dynamodb " + operation + ": idle connection was closed (" +
                                         exchanged.error.message() + "), reconnecting");
      }
    }

    Deadline deadline(strand, options.attempt_timeout);
    std::unique_ptr<Connection> fresh;
    Outcome failure = co_await Connect(io, context, deadline, fresh);
    if (!fresh) {
      deadline.Disarm();
      co_return failure;
    }
    Exchanged exchanged = co_await Exchange(*fresh, request);
    const bool timed_out = deadline.expired();
    deadline.Disarm();
    if (exchanged.error) {
      co_return Outcome::Retry(Describe(exchanged.error, timed_out, options.attempt_timeout));
    }
    co_return Conclude(std::move(fresh), std::move(exchanged), timed_out, operation);
  }

  asio::awaitable<Exchanged> Exchange(Connection& connection, const HttpRequest& request) {
    if (connection.tls) co_return co_await ExchangeOn(*connection.tls, connection.buffer, request);
    co_return co_await ExchangeOn(*connection.plain, connection.buffer, request);
  }

  // Resolves, connects and (for https) handshakes within `deadline`. Sets `connection` on
  // success; otherwise returns why not.
  asio::awaitable<Outcome> Connect(const asio::any_io_executor& io,
                                   asio::execution_context& context, Deadline& deadline,
                                   std::unique_ptr<Connection>& connection) {
    const std::chrono::milliseconds timeout = options.attempt_timeout;
    tcp::resolver resolver(io);
    deadline.Watch(&resolver);
    auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(endpoint.host, endpoint.port, kNoThrow);
    deadline.Watch(static_cast<tcp::resolver*>(nullptr));
    if (resolve_error) {
      co_return Outcome::Retry("resolve " + endpoint.host + ": " +
                               Describe(resolve_error, deadline.expired(), timeout));
    }

    auto opened = std::make_unique<Connection>();
    opened->context = &context;
    if (tls_context) {
      opened->tls = std::make_unique<ssl::stream<tcp::socket>>(io, *tls_context);
    } else {
      opened->plain.emplace(io);
    }
    deadline.Watch(&opened->socket());
    auto [connect_error, connected_to] =
        co_await asio::async_connect(opened->socket(), endpoints, kNoThrow);
    if (connect_error) {
      co_return Outcome::Retry("connect to " + endpoint.display + ": " +
                               Describe(connect_error, deadline.expired(), timeout));
    }
    // The request goes out in one write, but waiting on Nagle for nothing costs a round trip.
    error_code no_delay_error;  // only slower without it
    opened->socket().set_option(tcp::no_delay(true), no_delay_error);

    if (opened->tls) {
      ssl::stream<tcp::socket>& tls = *opened->tls;
      // SNI: servers with many names (AWS endpoints) choose the certificate by it. RFC 6066
      // forbids sending an IP address there.
      if (!endpoint.host_is_address &&
          SSL_set_tlsext_host_name(tls.native_handle(), endpoint.host.c_str()) != 1) {
        co_return Outcome::Retry("TLS: cannot set the server name " + endpoint.host);
      }
      tls.set_verify_mode(ssl::verify_peer);
      tls.set_verify_callback(ssl::host_name_verification(endpoint.host));
      auto [handshake_error] = co_await tls.async_handshake(ssl::stream_base::client, kNoThrow);
      if (handshake_error) {
        if (IsCertificateRejected(handshake_error)) {
          // Not transient: retrying would only repeat the refusal.
          const long verify_result = SSL_get_verify_result(tls.native_handle());
          const std::string why = verify_result == X509_V_OK
                                      ? "it does not name " + endpoint.host
                                      : X509_verify_cert_error_string(verify_result);
          logger.Warn("dynamodb: refusing " + endpoint.display + ": TLS certificate rejected (" +
                      why + ")");
          co_return Outcome::Final(Error::Unavailable("DynamoDB is unreachable"));
        }
        co_return Outcome::Retry("TLS handshake with " + endpoint.display + ": " +
                                 Describe(handshake_error, deadline.expired(), timeout));
      }
    }
    connection = std::move(opened);
    co_return Outcome{};
  }

  static bool IsCertificateRejected(const error_code& error) {
    return error.category() == asio::error::get_ssl_category() &&
           ERR_GET_REASON(static_cast<unsigned long>(error.value())) ==
               SSL_R_CERTIFICATE_VERIFY_FAILED;
  }

  // Turns a whole answer into the attempt's outcome, keeping the connection when it may be
  // reused.
  Outcome Conclude(std::unique_ptr<Connection> connection, Exchanged exchanged, bool timed_out,
                   const std::string& operation) {
    // A deadline that fired just as the answer completed has closed the socket.
    if (exchanged.reusable && !timed_out) pool->Give(std::move(connection));
    connection.reset();

    const HttpResponse& response = exchanged.response;
    const int status = response.result_int();
    error_code parse_error;
    json::value parsed = json::parse(response.body(), parse_error);
    json::object* body = parse_error ? nullptr : parsed.if_object();
    std::string error_type;
    if (body != nullptr) {
      if (const json::value* type = body->if_contains("__type"); type && type->is_string()) {
        error_type = ErrorTypeName(type->get_string());
      }
    }

    if (status >= 500) {
      return Outcome::Retry("HTTP " + std::to_string(status) +
                            (error_type.empty() ? "" : " " + error_type));
    }
    if (body == nullptr) {
      logger.Error("dynamodb " + operation + ": answer is not a JSON object (HTTP " +
                   std::to_string(status) + ", " + std::to_string(response.body().size()) +
                   " bytes): " + Quote(response.body()));
      return Outcome::Final(Error::Internal());
    }
    if (IsThrottling(error_type)) return Outcome::Retry("throttled: " + error_type, true);
    if (error_type.empty() && (status < 200 || status > 299)) {
      logger.Error("dynamodb " + operation + ": HTTP " + std::to_string(status) +
                   " answer without __type");
      return Outcome::Final(Error::Internal());
    }
    return Outcome::Final(Reply{status, std::move(*body), std::move(error_type)});
  }

  std::chrono::milliseconds Backoff(int attempt) {
    return JitteredBackoff(attempt, options.base_backoff, options.max_backoff);
  }

  // Full jitter: uniform in [0, min(max, base * 2^attempt)], so that clients throttled
  // together do not retry together.
  std::chrono::milliseconds JitteredBackoff(int attempt, std::chrono::milliseconds base,
                                            std::chrono::milliseconds max) {
    std::chrono::milliseconds ceiling = std::max(base, {});
    for (int i = 0; i < attempt && ceiling < max; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, max);
    if (ceiling.count() <= 0) return {};
    std::lock_guard lock(random_mutex);
    return std::chrono::milliseconds(
        std::uniform_int_distribution<int64_t>(0, ceiling.count())(random));
  }

  const ClientOptions options;
  Logger& logger;
  const Endpoint endpoint;
  std::optional<ssl::context> tls_context;  // https only; shared by all connections
  std::shared_ptr<ConnectionPool> pool;
  CallSlots slots;
  std::atomic<int64_t> last_refusal_warning_ms{std::numeric_limits<int64_t>::min() / 2};
  std::mutex random_mutex;
  std::mt19937_64 random;  // guarded by random_mutex
};

Client::Client(ClientOptions options, Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), logger)) {}

Client::~Client() = default;

asio::awaitable<Result<Reply>> Client::Call(std::string_view operation,
                                            const json::object& request) {
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  std::string body = json::serialize(request);
  // The attempts run on a strand of the caller's executor, so that a deadline's timer handler
  // never runs at the same time as the I/O it interrupts, even when the caller's executor is a
  // multi-threaded io_context.
  co_return co_await asio::co_spawn(
      asio::make_strand(executor),
      impl_->Run(executor, std::string(operation), std::move(body), attempts_, refused_as_busy_),
      asio::use_awaitable);
}

std::chrono::milliseconds Client::JitteredBackoff(int attempt, std::chrono::milliseconds base,
                                                  std::chrono::milliseconds max) {
  return impl_->JitteredBackoff(attempt, base, max);
}

}  // namespace tt::dynamodb
