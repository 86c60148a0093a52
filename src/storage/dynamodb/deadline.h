// Deadline: the attempt_timeout of one exchange of a dynamodb::Client.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace tt::dynamodb {

// Ends an exchange that overran attempt_timeout by cancelling its resolver or closing its
// socket. The calling coroutine runs on a strand and so does the timer's handler: the handler
// never runs while the coroutine touches the socket. Disarmed by destruction or Disarm().
class Deadline {
 public:
  Deadline(const boost::asio::any_io_executor& strand, std::chrono::milliseconds timeout)
      : timer_(strand, timeout), state_(std::make_shared<State>()) {
    timer_.async_wait([state = state_](const boost::system::error_code& ec) {
      if (ec || state->disarmed) return;
      state->expired = true;
      boost::system::error_code ignored;
      if (state->resolver != nullptr) state->resolver->cancel();
      if (state->socket != nullptr) state->socket->close(ignored);
    });
  }
  ~Deadline() { Disarm(); }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  void Watch(boost::asio::ip::tcp::resolver* resolver) { state_->resolver = resolver; }
  void Watch(boost::asio::ip::tcp::socket* socket) { state_->socket = socket; }
  // REQUIRES: called before the watched socket is handed to anyone else. A handler already
  // queued then finds `disarmed` and leaves the socket alone.
  void Disarm() {
    state_->disarmed = true;
    state_->resolver = nullptr;
    state_->socket = nullptr;
    timer_.cancel();
  }
  bool expired() const { return state_->expired; }

 private:
  struct State {
    bool disarmed = false;
    bool expired = false;
    boost::asio::ip::tcp::resolver* resolver = nullptr;
    boost::asio::ip::tcp::socket* socket = nullptr;
  };
  boost::asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

}  // namespace tt::dynamodb
