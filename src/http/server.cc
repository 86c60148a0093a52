#include "http/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
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
#include <mutex>
#include <optional>
#include <system_error>
#include <unordered_set>
#include <utility>
#include <vector>

#include "http/dispatch.h"
#include "http/error_response.h"
#include "http/request_mapping.h"

namespace tt::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Expected I/O outcomes (end of stream, timeouts, cancellation) come back as error codes.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// How much to read while waiting for the first bytes of a request.
constexpr size_t kFirstReadBytes = 8 * 1024;
// How often Shutdown looks whether the connections are gone.
constexpr std::chrono::milliseconds kShutdownPoll{10};
// After force-closing, how long Shutdown waits for the connection coroutines to unwind.
constexpr std::chrono::milliseconds kForceCloseWait{1'000};
// Upper bound on reading (and discarding) what a client still sends after an error answer.
constexpr std::chrono::milliseconds kMaxLinger{1'000};
// Pause after a failed accept (e.g. out of file descriptors), so the loop does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

// One accepted socket. The coroutine serving it and every closure that touches it run on the
// socket's executor (a strand, or an io_context that one thread runs), so the fields below need
// no lock.
struct Connection : std::enable_shared_from_this<Connection> {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}

  beast::tcp_stream stream;
  // Bound to the connection coroutine: emitting it cancels whatever the coroutine awaits,
  // including inside a handler, when Shutdown gives up waiting.
  asio::cancellation_signal cancel;
  // Between requests, nothing is in flight, so Shutdown may close the connection at once.
  bool waiting_for_request = false;
  bool force_closed = false;
  bool finished = false;
  // The hang-up watch of the request being handled (WatchForHangup), if any.
  bool watching = false;
  uint64_t watch_serial = 0;  // tells a stale watch's completion from the current one's
  bool client_left = false;   // the watch saw the client close; the handler was cancelled
};

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

// Everything the accept loop and the connections share. Held by shared_ptr from every
// coroutine, so it outlives the Server object if a coroutine is still unwinding.
struct ServerState {
  ServerState(asio::io_context& io_context, std::vector<asio::io_context*> contexts,
              ServerOptions server_options, const Router& server_router, Metrics& server_metrics,
              Logger& server_logger)
      : io(io_context),
        connection_contexts(std::move(contexts)),
        options(std::move(server_options)),
        router(server_router),
        metrics(server_metrics),
        logger(server_logger),
        acceptor(asio::make_strand(io_context)) {}

  size_t ConnectionCount() {
    std::lock_guard lock(mutex);
    return connections.size();
  }
  std::vector<std::shared_ptr<Connection>> Connections() {
    std::lock_guard lock(mutex);
    return {connections.begin(), connections.end()};
  }

  // The executor for the next accepted connection: the next of connection_contexts in turn,
  // or a new strand of `io` when there are none. Called on the acceptor's strand only.
  asio::any_io_executor NextConnectionExecutor() {
    if (connection_contexts.empty()) return asio::make_strand(io);
    asio::io_context* context = connection_contexts[next_context];
    next_context = (next_context + 1) % connection_contexts.size();
    return context->get_executor();
  }

  asio::io_context& io;
  const std::vector<asio::io_context*> connection_contexts;
  size_t next_context = 0;  // used by the accept loop only
  const ServerOptions options;
  const Router& router;
  Metrics& metrics;
  Logger& logger;
  // Used only on its own strand once Start() ran; the accept loop runs there too.
  tcp::acceptor acceptor;
  // Set once by Shutdown (or the destructor); read by every connection between requests.
  std::atomic<bool> draining{false};

  std::mutex mutex;
  std::unordered_set<std::shared_ptr<Connection>> connections;  // guarded by mutex
};

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

// The per-connection catch-all: an exception here is a bug (or the cancellation Shutdown forces),
// never something to answer.
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

void StartConnection(const std::shared_ptr<ServerState>& state, tcp::socket socket) {
  // Answers go out in one gather write, but 100-continue and pipelined answers are separate
  // small writes that Nagle's algorithm would hold back for a delayed ACK.
  beast::error_code no_delay_error;  // a socket without TCP_NODELAY still works, only slower
  socket.set_option(tcp::no_delay(true), no_delay_error);
  auto connection = std::make_shared<Connection>(std::move(socket));
  {
    std::lock_guard lock(state->mutex);
    state->connections.insert(connection);
  }
  state->metrics.ConnectionOpened();
  // The completion runs on the connection's executor (the co_spawn executor), like the coroutine.
  asio::co_spawn(connection->stream.get_executor(), RunConnection(state, connection),
                 asio::bind_cancellation_slot(connection->cancel.slot(),
                                              [state, connection](std::exception_ptr) {
                                                connection->finished = true;
                                                beast::error_code ignored;
                                                connection->stream.socket().close(ignored);
                                                state->metrics.ConnectionClosed();
                                                std::lock_guard lock(state->mutex);
                                                state->connections.erase(connection);
                                              }));
}

asio::awaitable<void> AcceptLoop(std::shared_ptr<ServerState> state) {
  while (true) {
    auto [ec, socket] =
        co_await state->acceptor.async_accept(state->NextConnectionExecutor(), kNoThrow);
    if (!state->acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      state->logger.Warn("http accept failed: " + ec.message());
      asio::steady_timer pause(co_await asio::this_coro::executor, kAcceptRetryDelay);
      co_await pause.async_wait(kNoThrow);
      continue;
    }
    if (state->draining.load()) {
      beast::error_code ignored;
      socket.close(ignored);
      co_return;
    }
    if (state->ConnectionCount() >= state->options.max_connections) {
      state->metrics.ConnectionRejected();
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    StartConnection(state, std::move(socket));
  }
}

// Waits until no connection is left or `deadline` passes, without blocking the thread.
asio::awaitable<void> WaitForConnections(ServerState& state, Clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (state.ConnectionCount() > 0 && Clock::now() < deadline) {
    timer.expires_after(std::min<Clock::duration>(kShutdownPoll, deadline - Clock::now()));
    co_await timer.async_wait(kNoThrow);
  }
}

}  // namespace

struct Server::State : ServerState {
  using ServerState::ServerState;
};

Server::Server(asio::io_context& io, ServerOptions options, const Router& router, Metrics& metrics,
               Logger& logger)
    : Server(io, {}, std::move(options), router, metrics, logger) {}

Server::Server(asio::io_context& io, std::vector<asio::io_context*> connection_contexts,
               ServerOptions options, const Router& router, Metrics& metrics, Logger& logger)
    : state_(std::make_shared<State>(io, std::move(connection_contexts), std::move(options), router,
                                     metrics, logger)) {}

Server::~Server() {
  // Connection coroutines keep the state alive; tell them and the acceptor to wind down so they
  // do not go on serving with a router and logger the owner may be about to destroy.
  state_->draining = true;
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
  });
}

tcp::endpoint Server::Listen() {
  State& state = *state_;
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(state.options.host, ec);
  if (ec) {
    // A name such as "localhost": resolve it once, at start-up.
    tcp::resolver resolver(state.io);
    auto results = resolver.resolve(state.options.host, std::to_string(state.options.port), ec);
    if (ec) throw std::system_error(ec, "cannot resolve " + state.options.host);
    address = results.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, state.options.port);
  const std::string where = state.options.host + ":" + std::to_string(state.options.port);
  state.acceptor.open(endpoint.protocol(), ec);
  if (ec) throw std::system_error(ec, "open " + where);
  state.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) throw std::system_error(ec, "set SO_REUSEADDR on " + where);
  state.acceptor.bind(endpoint, ec);
  if (ec) throw std::system_error(ec, "bind " + where);
  state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, "listen on " + where);
  tcp::endpoint bound = state.acceptor.local_endpoint(ec);
  if (ec) throw std::system_error(ec, "local endpoint of " + where);
  return bound;
}

void Server::Start() {
  std::shared_ptr<ServerState> state = state_;
  asio::co_spawn(state->acceptor.get_executor(), AcceptLoop(state),
                 [state](std::exception_ptr failure) {
                   if (!failure) return;
                   try {
                     std::rethrow_exception(failure);
                   } catch (const std::exception& e) {
                     state->logger.Error(std::string("http accept loop failed: ") + e.what());
                   }
                 });
}

asio::awaitable<void> Server::Shutdown() {
  std::shared_ptr<ServerState> state = state_;
  state->draining = true;
  asio::post(state->acceptor.get_executor(), [state] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
  });
  // Connections between requests have nothing in flight: close them now. The others see
  // `draining` after their answer and close themselves.
  for (const std::shared_ptr<Connection>& connection : state->Connections()) {
    asio::post(connection->stream.get_executor(), [connection] {
      if (connection->waiting_for_request) connection->stream.cancel();
    });
  }
  co_await WaitForConnections(*state, Clock::now() + state->options.shutdown_grace);

  std::vector<std::shared_ptr<Connection>> left = state->Connections();
  if (left.empty()) co_return;
  state->logger.Warn("http shutdown: closing " + std::to_string(left.size()) +
                     " connections still busy after the grace period");
  for (const std::shared_ptr<Connection>& connection : left) {
    asio::post(connection->stream.get_executor(), [connection] {
      if (connection->finished) return;  // its coroutine, and so the signal's handler, is gone
      connection->force_closed = true;
      connection->cancel.emit(asio::cancellation_type::terminal);
      connection->stream.close();
    });
  }
  co_await WaitForConnections(*state, Clock::now() + kForceCloseWait);
  if (size_t stuck = state->ConnectionCount(); stuck > 0) {
    state->logger.Warn("http shutdown: " + std::to_string(stuck) +
                       " connections did not unwind after being closed");
  }
}

}  // namespace tt::http
