// An HTTP proxy for fault injection between the server and DynamoDB (dynalite): it forwards
// requests, or drops connections, delays them, or answers 500s or throttling errors, as the test
// sets it. It runs on a thread of its own, listening on 127.0.0.1.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace tt::testing {

class FaultProxy {
 public:
  enum class Mode {
    kForward,      // pass every request to the upstream
    kDrop,         // close each connection without answering (DynamoDB unreachable)
    kServerError,  // answer 500 InternalServerError
    kThrottle,     // answer 400 ThrottlingException
  };

  // Starts listening on a free port, forwarding to 127.0.0.1:`upstream_port`.
  explicit FaultProxy(uint16_t upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  uint16_t port() const;
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }

  void set_mode(Mode mode) { mode_ = mode; }
  // Answers the next `count` requests with `fault`, then goes back to the mode set before.
  void FailNext(Mode fault, int count) {
    fault_ = fault;
    faults_left_ = count;
  }
  // Lets the next `skip` requests through, then answers `count` with `fault`.
  void FailAfter(int skip, Mode fault, int count) {
    passes_left_ = skip;
    FailNext(fault, count);
  }
  // Extra time before each request is handled.
  void set_delay(std::chrono::milliseconds delay) { delay_ms_ = static_cast<int>(delay.count()); }
  // Requests seen, in any mode.
  int requests() const { return requests_.load(); }

 private:
  struct Impl;
  static boost::asio::awaitable<void> Serve(FaultProxy& proxy, boost::asio::ip::tcp::socket client);
  static boost::asio::awaitable<void> Accept(FaultProxy& proxy);
  std::unique_ptr<Impl> impl_;
  std::atomic<Mode> mode_{Mode::kForward};
  std::atomic<int> delay_ms_{0};
  std::atomic<int> requests_{0};
  std::atomic<Mode> fault_{Mode::kForward};
  std::atomic<int> faults_left_{0};
  std::atomic<int> passes_left_{0};
};

}  // namespace tt::testing
