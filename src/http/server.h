// The HTTP/1.1 server: Boost.Beast over Asio C++20 coroutines, one coroutine per connection,
// keep-alive, explicit limits and timeouts (after the Beast `awaitable` examples).
//
// Each request is read whole (header block at most max_header_bytes, body at most
// max_body_bytes, both within request_timeout), routed, answered, logged in one access-log line
// and counted in Metrics. A handler's Error becomes the contract's error body; an exception
// escaping a handler becomes a 500 and is logged (never shown to the client). A request that
// cannot be read is answered and its connection closed: 431 for a header block over the limit,
// 413 for a body over it, 400 for anything malformed (including a Transfer-Encoding that is not
// chunked-last or comes with a Content-Length). A client silent or too slow past a timeout is
// disconnected without an answer.
//
// Threads: either one io_context run by any number of threads, each connection on its own
// strand; or, faster, one io_context per thread (Asio's "io_context per CPU"): the acceptor's
// io_context hands accepted connections to the connection contexts in turn, and each
// connection lives on its context's single thread, with no strand, no lock and no wake-up of
// another thread on its path. Listen() and Start() are called once, before or while the
// io_contexts run.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/cors.h"
#include "http/metrics.h"
#include "http/router.h"
#include "log/logger.h"

namespace tt::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 3000;  // 0 picks a free port
  size_t max_body_bytes = 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  // The whole request (headers and body) must arrive within this.
  std::chrono::milliseconds request_timeout{15'000};
  // A kept-alive connection with no new request for this long is closed.
  std::chrono::milliseconds idle_timeout{60'000};
  // Writing a response must finish within this.
  std::chrono::milliseconds write_timeout{15'000};
  // On shutdown, in-flight requests get this long to finish.
  std::chrono::milliseconds shutdown_grace{10'000};
  // Connections above this are accepted and closed at once, so file descriptors stay bounded.
  size_t max_connections = 4096;
  // While the handler of a GET or HEAD runs, watch its connection: when the client closes it,
  // cancel what the handler awaits and answer nobody (logged and counted as status 499). Work
  // nobody waits for then stops instead of piling up behind a slow database. Writes always run
  // to the end, so that a client leaving never stops one half way. Worth it only when handlers
  // suspend on I/O (DynamoDB); a handler that never suspends cannot be cancelled anyway.
  bool cancel_reads_on_hangup = false;
  // Which browser origins may call the API (--cors-origins); none by default.
  CorsPolicy cors;
};

class Server {
 public:
  // `router`, `metrics` and `logger` must outlive the server.
  Server(boost::asio::io_context& io, ServerOptions options, const Router& router, Metrics& metrics,
         Logger& logger);
  // Accepts on `io` and serves each connection on one of `connection_contexts`, in turn (`io`
  // may be one of them). REQUIRES: each connection context is run by exactly one thread, and
  // all of them outlive the server's connections.
  Server(boost::asio::io_context& io, std::vector<boost::asio::io_context*> connection_contexts,
         ServerOptions options, const Router& router, Metrics& metrics, Logger& logger);
  ~Server();

  // Binds and listens; returns the bound endpoint (the real port when options.port is 0).
  // Throws std::system_error when the address cannot be bound (a start-up failure).
  boost::asio::ip::tcp::endpoint Listen();
  // Starts accepting on the io_context given at construction. REQUIRES: Listen() succeeded.
  void Start();
  // Stops accepting, closes connections waiting between requests at once, lets in-flight
  // requests finish (closing their connections after the answer) until shutdown_grace passes,
  // then closes the rest and cancels what their handlers await. Completes when no connection is
  // left (or, should a handler ignore cancellation, a second later). Never blocks a thread.
  // Call it, and let it complete, before destroying the server; the destructor only stops
  // accepting.
  boost::asio::awaitable<void> Shutdown();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tt::http
