// Serving one accepted connection: reading each request under the server's limits, dispatching
// it, writing the answer, and recording it in the access log and the metrics.
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "http/dispatch.h"
#include "http/error_response.h"
#include "http/request_mapping.h"
#include "http/server_state.h"

namespace tt::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// How much to read while waiting for the first bytes of a request.
constexpr size_t kFirstReadBytes = 8 * 1024;
// Upper bound on reading (and discarding) what a client still sends after an error answer.
constexpr std::chrono::milliseconds kMaxLinger{1'000};

// Metric label for a method: client-chosen methods would make unbounded label sets.
std::string_view MethodLabel(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",   "HEAD",   "POST",   "PUT",
                                                "PATCH", "DELETE", "OPTIONS"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

// The answer for a request that could not be read, or nullopt when there is nobody to answer
// (the client left, stayed silent past a timeout, or the server is closing the connection).
std::optional<api::Response> ReadFailureResponse(const beast::error_code& ec,
                                                 size_t max_body_bytes) {
  if (ec == bhttp::error::header_limit) {
    api::Response response = ErrorResponse(Error::BadRequest("request header block too large"));
    response.status = 431;
    return response;
  }
  if (ec == bhttp::error::body_limit) {
    return ErrorResponse(
        Error{ErrorCode::kPayloadTooLarge,
              "request body larger than " + std::to_string(max_body_bytes) + " bytes",
              {},
              {}});
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return std::nullopt;
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return ErrorResponse(Error::BadRequest("malformed HTTP request"));
  }
  return std::nullopt;
}

bool Expects100Continue(const BeastRequest& request) {
  auto it = request.find(bhttp::field::expect);
  return request.version() >= 11 && it != request.end() &&
         beast::iequals(it->value(), "100-continue");
}
// Counts and logs one answered request: the access-log line never carries the target's query,
// a token or a body, only what identifies the exchange.
void RecordAnswer(ServerState& state, std::string_view method, std::string_view route, int status,
                  Clock::time_point started, std::string_view request_id) {
  const auto duration =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
  const std::string_view method_label = MethodLabel(method);
  state.metrics.RecordRequest(method_label, route, status, duration);
  if (status == 500) state.metrics.RecordServerError("internal");
  if (status == 503) state.metrics.RecordServerError("unavailable");
  if (state.logger.Enabled(LogLevel::kInfo)) {
    char milliseconds[32];
    std::snprintf(milliseconds, sizeof milliseconds, "%.3f", duration.count() / 1000.0);
    state.logger.Info("http method=" + std::string(method_label) + " route=" + std::string(route) +
                      " status=" + std::to_string(status) + " duration_ms=" + milliseconds +
                      " request_id=" + std::string(request_id));
  }
}

asio::awaitable<bool> Write(ServerState& state, Connection& connection,
                            const WireResponse& response) {
  connection.stream.expires_after(state.options.write_timeout);
  const std::array<asio::const_buffer, 2> buffers = {asio::buffer(response.head),
                                                     asio::buffer(response.body)};
  auto [ec, written] = co_await asio::async_write(connection.stream, buffers, kNoThrow);
  connection.stream.expires_never();
  co_return !ec;
}

// Ends a connection after an answer sent while the client may still be sending (an oversized
// body, a malformed request): closing with unread input makes the kernel send a reset, which can
// destroy the answer before the client reads it. So stop sending, then read and discard until
// the client closes or a short deadline passes.
asio::awaitable<void> LingeringClose(ServerState& state, Connection& connection) {
  beast::error_code ec;
  connection.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  connection.stream.expires_after(
      std::min<std::chrono::milliseconds>(state.options.request_timeout, kMaxLinger));
  std::vector<char> discard(16 * 1024);
  while (true) {
    auto [read_error, n] =
        co_await connection.stream.async_read_some(asio::buffer(discard), kNoThrow);
    if (read_error) break;
  }
}

// Nginx's status for "the client closed the connection before the answer": logged and counted
// only, never sent.
constexpr int kClientClosedRequest = 499;

bool IsRead(std::string_view method) { return method == "GET" || method == "HEAD"; }

// Arms one wait for the connection's socket to turn readable while a handler runs (nothing else
// reads it then). Readable with nothing to read means the client closed or reset it: the handler
// is cancelled through the connection's signal. Bytes to read mean a pipelined request: the
// client is still there, and the watch ends.
void WatchForHangup(Connection& connection, uint64_t serial) {
  connection.stream.socket().async_wait(
      tcp::socket::wait_read,
      [connection = connection.shared_from_this(), serial](const beast::error_code& ec) {
        if (ec || !connection->watching || connection->watch_serial != serial) return;
        char byte;
        const ssize_t n =
            ::recv(connection->stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0) return;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          WatchForHangup(*connection, serial);  // a spurious wake-up
          return;
        }
        connection->client_left = true;
        connection->cancel.emit(asio::cancellation_type::terminal);
      });
}

// Reads, answers and logs one request whose first bytes are in `buffer`. Returns whether the
// connection may carry another request.
asio::awaitable<bool> ServeRequest(ServerState& state, Connection& connection,
                                   beast::flat_buffer& buffer, Clock::time_point started) {
  const ServerOptions& options = state.options;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(
      std::min<size_t>(options.max_header_bytes, std::numeric_limits<uint32_t>::max())));
  parser.body_limit(options.max_body_bytes);

  auto [ec, header_bytes] =
      co_await bhttp::async_read_header(connection.stream, buffer, parser, kNoThrow);
  if (!ec && !HasUnambiguousFraming(parser.get(), parser.chunked())) {
    ec = bhttp::error::bad_transfer_encoding;
  }
  if (!ec && !parser.is_done() && Expects100Continue(parser.get())) {
    // Clients that ask (curl does for large bodies) wait for this before sending the body.
    bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, 11};
    auto [write_error, n] = co_await bhttp::async_write(connection.stream, go_on, kNoThrow);
    ec = write_error;
  }
  if (!ec && !parser.is_done()) {
    auto [body_error, body_bytes] =
        co_await bhttp::async_read(connection.stream, buffer, parser, kNoThrow);
    ec = body_error;
  }

  if (ec) {
    std::optional<api::Response> answer = ReadFailureResponse(ec, options.max_body_bytes);
    if (!answer) co_return false;
    const bool has_header = parser.is_header_done();
    const std::string request_id = has_header ? RequestIdFor(parser.get()) : GenerateRequestId();
    const std::string method = has_header ? std::string(parser.get().method_string()) : "";
    // Fields are stored as they are parsed, so Origin is known even when a later check of the
    // header failed (a Content-Length over the limit).
    options.cors.AddResponseHeaders(parser.get()[bhttp::field::origin], *answer);
    const int status = answer->status;
    const WireResponse response = ToWireResponse(std::move(*answer), 11, false, request_id);
    RecordAnswer(state, method, kUnmatchedRoute, status, started, request_id);
    const bool written = co_await Write(state, connection, response);
    if (written) co_await LingeringClose(state, connection);
    co_return false;
  }

  // The handler may take as long as it needs; the write below has its own deadline.
  connection.stream.expires_never();
  BeastRequest message = parser.release();
  const unsigned version = message.version();
  const bool client_keeps_alive = message.keep_alive();
  const std::string method(message.method_string());
  const std::string request_id = RequestIdFor(message);
  // Kept for the CORS headers, which every answer gets, a malformed request's too.
  const std::string origin(message[bhttp::field::origin]);

  Result<api::Request> request = ToApiRequest(std::move(message), request_id);
  // Plain statements, not a conditional expression: g++ 12 miscompiles co_await inside ?: (it
  // destroys the temporary twice).
  Dispatched dispatched;
  if (request) {
    const bool watch = options.cancel_reads_on_hangup && IsRead(method);
    if (watch) {
      connection.watching = true;
      WatchForHangup(connection, ++connection.watch_serial);
    }
    dispatched = co_await Dispatch(state.router, options.cors, std::move(*request), state.logger);
    if (watch) {
      connection.watching = false;
      beast::error_code ignored;
      connection.stream.socket().cancel(ignored);  // ends the wait; nothing else is pending
    }
  } else {
    dispatched = Dispatched{ErrorResponse(request.error()), std::string(kUnmatchedRoute)};
  }
  if (connection.client_left) {
    RecordAnswer(state, method, dispatched.route, kClientClosedRequest, started, request_id);
    co_return false;
  }

  options.cors.AddResponseHeaders(origin, dispatched.response);

  // Read after the handler: a request in flight when Shutdown starts is answered, then closed.
  const bool keep_alive = client_keeps_alive && !state.draining.load();
  // No route serves HEAD, but its answer (a 405) must still come without a body: the client
  // reads none, and stray bytes would be taken for the next response on this connection.
  const WireResponse response = ToWireResponse(std::move(dispatched.response), version, keep_alive,
                                               request_id, method != "HEAD");
  // Recorded before the write, so that a client which has read the answer finds it counted.
  RecordAnswer(state, method, dispatched.route, response.status, started, request_id);
  const bool written = co_await Write(state, connection, response);
  if (!written) co_return false;
  if (!keep_alive) {
    beast::error_code ignored;
    connection.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> ServeConnection(std::shared_ptr<ServerState> state,
                                      std::shared_ptr<Connection> connection) {
  const ServerOptions& options = state->options;
  beast::tcp_stream& stream = connection->stream;
  beast::flat_buffer buffer;
  // A new connection gets request_timeout from the moment it is accepted, covering the wait for
  // its first bytes and the whole request, so a client that connects and stalls is bounded too.
  stream.expires_after(options.request_timeout);
  bool first_request = true;
  while (true) {
    if (buffer.size() == 0) {
      if (state->draining.load()) co_return;
      if (!first_request) stream.expires_after(options.idle_timeout);
      connection->waiting_for_request = true;
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kFirstReadBytes), kNoThrow);
      connection->waiting_for_request = false;
      if (ec) co_return;  // the client left, stayed idle too long, or Shutdown closed us
      buffer.commit(n);
    }
    // One deadline from the first bytes to the last: a client trickling bytes (slowloris) cannot
    // hold the connection longer than request_timeout.
    if (!first_request) stream.expires_after(options.request_timeout);
    first_request = false;
    if (!co_await ServeRequest(*state, *connection, buffer, Clock::now())) co_return;
  }
}

}  // namespace

asio::awaitable<void> RunConnection(std::shared_ptr<ServerState> state,
                                    std::shared_ptr<Connection> connection) {
  try {
    co_await ServeConnection(state, connection);
  } catch (const std::exception& e) {
    if (!connection->force_closed) {
      state->logger.Error(std::string("http connection ended by an exception: ") + e.what());
    }
  }
}

}  // namespace tt::http
