// A webhook receiver for the integration tests: tests/integration/webhooks/receiver.py, run as a
// child process, which verifies every signature with Python's hmac (not the server's code) and
// records what it received.
#pragma once

#include <sys/types.h>

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace tt::testing {

struct ReceivedWebhook {
  std::string id;         // webhook-id
  std::string timestamp;  // webhook-timestamp
  std::string signature;  // webhook-signature
  // Indexes (into the secrets the receiver was given) of the secrets a signature matched.
  std::vector<int> valid_for;
  boost::json::object body;  // {type, timestamp, data}
  int answered = 0;          // the status the receiver answered
};

class WebhookReceiver {
 public:
  // Starts the receiver in `dir` on a free port, or on `port` when given.
  explicit WebhookReceiver(std::filesystem::path dir, uint16_t port = 0);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  uint16_t port() const { return port_; }
  // http://127.0.0.1:<port><path>
  std::string Url(std::string_view path = "/hooks") const;

  // What the receiver verifies with and answers (re-read on every request): `statuses` in turn,
  // then `status`; each answer after `delay`.
  void Configure(const std::vector<std::string>& secrets, int status = 200,
                 const std::vector<int>& statuses = {},
                 std::chrono::milliseconds delay = std::chrono::milliseconds(0));

  // Every request received so far, in order.
  std::vector<ReceivedWebhook> Received() const;
  // Received() once `done(Received())` holds, or as it is after `timeout`.
  template <typename Done>
  std::vector<ReceivedWebhook> WaitFor(Done done, std::chrono::milliseconds timeout) const;

  // Stops the receiver (connections to its port are refused); Start() brings it back on the
  // same port, with what it had received kept.
  void Stop();
  void Start();

 private:
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

template <typename Done>
std::vector<ReceivedWebhook> WebhookReceiver::WaitFor(Done done,
                                                      std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::vector<ReceivedWebhook> received = Received();
    if (done(received) || std::chrono::steady_clock::now() > deadline) return received;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace tt::testing
