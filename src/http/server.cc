#include "http/server.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "http/server_state.h"

namespace tt::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// How often Shutdown looks whether the connections are gone.
constexpr std::chrono::milliseconds kShutdownPoll{10};
// After force-closing, how long Shutdown waits for the connection coroutines to unwind.
constexpr std::chrono::milliseconds kForceCloseWait{1'000};
// Pause after a failed accept (e.g. out of file descriptors), so the loop does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

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
