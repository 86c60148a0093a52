// What the HTTP server's accept loop (server.cc) and its connections (serve_connection.cc)
// share: the state of one accepted connection, and the server-wide state every coroutine holds.
// Internal to src/http.
#pragma once

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <utility>
#include <vector>

#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "log/logger.h"

namespace tt::http {

// Expected I/O outcomes (end of stream, timeouts, cancellation) come back as error codes.
inline constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);

// One accepted socket. The coroutine serving it and every closure that touches it run on the
// socket's executor (a strand, or an io_context that one thread runs), so the fields below need
// no lock.
struct Connection : std::enable_shared_from_this<Connection> {
  explicit Connection(boost::asio::ip::tcp::socket socket) : stream(std::move(socket)) {}

  boost::beast::tcp_stream stream;
  // Bound to the connection coroutine: emitting it cancels whatever the coroutine awaits,
  // including inside a handler, when Shutdown gives up waiting.
  boost::asio::cancellation_signal cancel;
  // Between requests, nothing is in flight, so Shutdown may close the connection at once.
  bool waiting_for_request = false;
  bool force_closed = false;
  bool finished = false;
  // The hang-up watch of the request being handled (WatchForHangup), if any.
  bool watching = false;
  uint64_t watch_serial = 0;  // tells a stale watch's completion from the current one's
  bool client_left = false;   // the watch saw the client close; the handler was cancelled
};
// Everything the accept loop and the connections share. Held by shared_ptr from every
// coroutine, so it outlives the Server object if a coroutine is still unwinding.
struct ServerState {
  ServerState(boost::asio::io_context& io_context, std::vector<boost::asio::io_context*> contexts,
              ServerOptions server_options, const Router& server_router, Metrics& server_metrics,
              Logger& server_logger)
      : io(io_context),
        connection_contexts(std::move(contexts)),
        options(std::move(server_options)),
        router(server_router),
        metrics(server_metrics),
        logger(server_logger),
        acceptor(boost::asio::make_strand(io_context)) {}

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
  boost::asio::any_io_executor NextConnectionExecutor() {
    if (connection_contexts.empty()) return boost::asio::make_strand(io);
    boost::asio::io_context* context = connection_contexts[next_context];
    next_context = (next_context + 1) % connection_contexts.size();
    return context->get_executor();
  }

  boost::asio::io_context& io;
  const std::vector<boost::asio::io_context*> connection_contexts;
  size_t next_context = 0;  // used by the accept loop only
  const ServerOptions options;
  const Router& router;
  Metrics& metrics;
  Logger& logger;
  // Used only on its own strand once Start() ran; the accept loop runs there too.
  boost::asio::ip::tcp::acceptor acceptor;
  // Set once by Shutdown (or the destructor); read by every connection between requests.
  std::atomic<bool> draining{false};

  std::mutex mutex;
  std::unordered_set<std::shared_ptr<Connection>> connections;  // guarded by mutex
};

// Serves `connection` until the client leaves, a request ends it, or Shutdown closes it. The
// per-connection catch-all: an exception escaping it is a bug (or the cancellation Shutdown
// forces), logged and never answered.
boost::asio::awaitable<void> RunConnection(std::shared_ptr<ServerState> state,
                                           std::shared_ptr<Connection> connection);

}  // namespace tt::http
