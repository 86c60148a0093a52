#include "support/fault_proxy.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace tt::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

http::response<http::string_body> ErrorAnswer(int status, std::string_view type, unsigned version) {
  http::response<http::string_body> response{static_cast<http::status>(status), version};
  response.set(http::field::content_type, "application/x-amz-json-1.0");
  response.body() = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + std::string(type) +
                    "\",\"message\":\"injected by FaultProxy\"}";
  response.prepare_payload();
  return response;
}

}  // namespace

struct FaultProxy::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  uint16_t upstream_port = 0;
  std::thread thread;
};

// Coroutines here are plain functions with parameters: g++ 12 mishandles coroutine lambdas that
// capture.
asio::awaitable<void> FaultProxy::Serve(FaultProxy& proxy, tcp::socket client) {
  // One coroutine per client connection; each request is forwarded on a fresh upstream
  // connection (simple, and the proxy's own connection reuse is not what is under test).
  beast::flat_buffer buffer;
  while (true) {
    http::request<http::string_body> request;
    auto [read_error, read] =
        co_await http::async_read(client, buffer, request, asio::as_tuple(asio::use_awaitable));
    if (read_error) co_return;
    ++proxy.requests_;
    if (int delay = proxy.delay_ms_.load(); delay > 0) {
      asio::steady_timer timer(client.get_executor(), std::chrono::milliseconds(delay));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    http::response<http::string_body> response;
    Mode mode = proxy.mode_.load();
    if (proxy.passes_left_.fetch_sub(1) > 0) {
      // let through: one of the requests before the faults
    } else if (proxy.faults_left_.fetch_sub(1) > 0) {
      mode = proxy.fault_.load();
    } else {
      proxy.faults_left_ = 0;  // undo the decrements past zero
      proxy.passes_left_ = 0;
    }
    switch (mode) {
      case Mode::kDrop:
        co_return;  // closes the connection unanswered
      case Mode::kServerError:
        response = ErrorAnswer(500, "InternalServerError", request.version());
        break;
      case Mode::kThrottle:
        response = ErrorAnswer(400, "ThrottlingException", request.version());
        break;
      case Mode::kForward: {
        beast::tcp_stream upstream(client.get_executor());
        auto [connect_error] = co_await upstream.async_connect(
            tcp::endpoint(asio::ip::make_address("127.0.0.1"), proxy.impl_->upstream_port),
            asio::as_tuple(asio::use_awaitable));
        if (connect_error) co_return;
        auto [write_error, written] =
            co_await http::async_write(upstream, request, asio::as_tuple(asio::use_awaitable));
        if (write_error) co_return;
        beast::flat_buffer upstream_buffer;
        auto [answer_error, answered] = co_await http::async_read(
            upstream, upstream_buffer, response, asio::as_tuple(asio::use_awaitable));
        if (answer_error) co_return;
        break;
      }
    }
    response.keep_alive(request.keep_alive());
    auto [write_error, written] =
        co_await http::async_write(client, response, asio::as_tuple(asio::use_awaitable));
    if (write_error || !request.keep_alive()) co_return;
  }
}

asio::awaitable<void> FaultProxy::Accept(FaultProxy& proxy) {
  while (true) {
    auto [error, socket] =
        co_await proxy.impl_->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error) co_return;
    asio::co_spawn(proxy.impl_->io, Serve(proxy, std::move(socket)), asio::detached);
  }
}

FaultProxy::FaultProxy(uint16_t upstream_port) : impl_(std::make_unique<Impl>()) {
  impl_->upstream_port = upstream_port;
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();

  asio::co_spawn(impl_->io, Accept(*this), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

FaultProxy::~FaultProxy() {
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t FaultProxy::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace tt::testing
