// Request metrics in the Prometheus text format (version 0.0.4). Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace tt::http {

class Metrics {
 public:
  // Counts one answered request by route template ("unmatched" when none) and status, and adds
  // its duration to the latency histogram of that route.
  void RecordRequest(std::string_view method, std::string_view route_template, int status,
                     std::chrono::microseconds duration);
  // Counts an answer that failed for a reason on the server's side (500 or 503).
  void RecordServerError(std::string_view code);
  void ConnectionOpened() { ++open_connections_; }
  void ConnectionClosed() { --open_connections_; }
  // Counts a connection closed at once because the server already had max_connections.
  void ConnectionRejected() { ++rejected_connections_; }
  int64_t open_connections() const { return open_connections_.load(); }

  // The text for GET /metrics: tt_http_requests_total{method,route,status},
  // tt_http_request_duration_seconds histogram{method,route}, tt_server_errors_total{code},
  // tt_http_open_connections, tt_http_rejected_connections_total.
  std::string Render() const;

 private:
  static constexpr std::array<double, 12> kBucketsSeconds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5};
  struct Histogram {
    std::array<uint64_t, kBucketsSeconds.size()> buckets{};  // not cumulative
    uint64_t count = 0;
    double sum_seconds = 0;
  };
  // (method, route template), compared with string_views too, so that a lookup allocates
  // nothing.
  using RouteKey = std::pair<std::string, std::string>;
  struct RouteKeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::pair<std::string_view, std::string_view>(a.first, a.second) <
             std::pair<std::string_view, std::string_view>(b.first, b.second);
    }
  };
  struct RouteStats {
    std::map<int, uint64_t> by_status;
    Histogram latency;
  };
  // Every I/O thread records every request: one lock for all would be taken and contended
  // on each. Threads are spread over shards (each with its own lock, uncontended when there
  // are no more threads than shards); Render adds the shards up.
  struct alignas(64) Shard {
    std::mutex mutex;
    std::map<RouteKey, RouteStats, RouteKeyLess> routes;
    std::map<std::string, uint64_t, std::less<>> server_errors;
  };
  static constexpr size_t kShards = 8;
  Shard& ThisThreadsShard();

  mutable std::array<Shard, kShards> shards_;
  std::atomic<int64_t> open_connections_{0};
  std::atomic<uint64_t> rejected_connections_{0};
};

}  // namespace tt::http
