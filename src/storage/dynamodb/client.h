// A small DynamoDB client: the JSON 1.0 protocol (`POST /` with
// `X-Amz-Target: DynamoDB_20120810.<Operation>` and `Content-Type: application/x-amz-json-1.0`)
// over HTTP or HTTPS with Boost.Beast, signed with SigV4 (sigv4.h). There is no AWS SDK for C++
// in Debian, so this is ours; it knows nothing of Track Tracker's tables.
//
// Threading: Call() may run concurrently from any number of coroutines on any executors; each
// call runs on the calling coroutine's executor (the server's own I/O threads), never on a
// thread of its own. Connections are kept alive and reused from a pool shared by all callers.
//
// Retries: throttling answers (ProvisionedThroughputExceededException, ThrottlingException,
// RequestLimitExceeded, LimitExceededException), 5xx answers, and connection failures or
// timeouts are retried with capped exponential backoff and full jitter, up to max_attempts.
// Every other answer, success or error, is returned at once.
//
// Load: at most max_in_flight calls run at once across all callers; the others wait their turn,
// oldest first, for at most queue_timeout and then fail with kUnavailable. A DynamoDB that
// slows down (or an emulator sharing the CPUs) then costs bounded memory and answers 503,
// instead of an ever longer queue of calls that time out and are retried.
//
// Cancellation: a call whose caller is cancelled (the request's client left, the server shuts
// down) stops at its next wait and returns kUnavailable without logging a failure.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "domain/error.h"
#include "log/logger.h"
#include "storage/dynamodb/aws_config.h"

namespace tt::dynamodb {

struct ClientOptions {
  AwsSettings settings;  // endpoint, region, credentials
  // One attempt (connect, send, read the whole answer) must finish within this.
  std::chrono::milliseconds attempt_timeout{5'000};
  int max_attempts = 6;
  std::chrono::milliseconds base_backoff{25};
  std::chrono::milliseconds max_backoff{1'000};
  size_t max_idle_connections = 64;
  // Calls (with their retries) running at once; at least 1.
  size_t max_in_flight = 64;
  // How long a call may wait for one of the max_in_flight places before failing as busy.
  std::chrono::milliseconds queue_timeout{2'000};
};

// A DynamoDB answer that arrived: a success (`error_type` empty) or a service error such as
// ConditionalCheckFailedException, which callers often expect and handle.
struct Reply {
  int http_status = 200;
  boost::json::object body;  // the answer's JSON (for errors: `__type`, `message`, ...)
  std::string error_type;    // `__type` without its namespace prefix; empty on success
};

class Client {
 public:
  // Throws std::invalid_argument when settings.endpoint is not an http(s) URL (a start-up
  // failure). Loads the system's CA certificates for https endpoints and verifies the host.
  Client(ClientOptions options, Logger& logger);
  ~Client();

  // Calls `operation` (e.g. "PutItem") with `request` as its JSON body. Returns the Reply once
  // DynamoDB answered (retrying as described above); kUnavailable when it could not be reached,
  // stayed throttled or kept failing with 5xx through every attempt. Never throws for I/O.
  boost::asio::awaitable<Result<Reply>> Call(std::string_view operation,
                                             const boost::json::object& request);

  // A delay before retry `attempt` (0-based): uniform in [0, min(max, base * 2^attempt)] ("full
  // jitter"), for callers that retry on their own (e.g. unprocessed batch items). Thread-safe.
  std::chrono::milliseconds JitteredBackoff(int attempt, std::chrono::milliseconds base,
                                            std::chrono::milliseconds max);

  // Calls (attempts included) made since construction, for benchmarks and tests.
  uint64_t attempts() const { return attempts_.load(); }
  // Calls refused because none of the max_in_flight places came free within queue_timeout.
  uint64_t refused_as_busy() const { return refused_as_busy_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<uint64_t> attempts_{0};
  std::atomic<uint64_t> refused_as_busy_{0};
};

}  // namespace tt::dynamodb
