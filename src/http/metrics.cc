#include "http/metrics.h"

#include <charconv>
#include <string>

#include "log/metrics_text.h"

namespace tt::http {
namespace {

// Label values may hold any text (a route template, a method sent by a client); the text format
// requires backslash, double quote and newline to be escaped.
void AppendLabelValue(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  out += '"';
}

// The shortest fixed-point text that reads back as the same double ("0.0005", "1", "2.5"); the
// plain shortest form would write "5e-04", which is valid but not what dashboards show.
void AppendNumber(std::string& out, double value) {
  char text[400];  // fixed notation of a large double needs over 300 digits
  auto [end, ec] = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed);
  out.append(text, ec == std::errc() ? end : text);
}

// `{method="GET",route="/x"` without the closing brace, so a caller can add more labels.
std::string OpenMethodRouteLabels(const std::pair<std::string, std::string>& key) {
  std::string labels = "{method=";
  AppendLabelValue(labels, key.first);
  labels += ",route=";
  AppendLabelValue(labels, key.second);
  return labels;
}

}  // namespace

Metrics::Shard& Metrics::ThisThreadsShard() {
  static std::atomic<size_t> next_shard{0};
  thread_local const size_t shard = next_shard++ % kShards;
  return shards_[shard];
}

void Metrics::RecordRequest(std::string_view method, std::string_view route_template, int status,
                            std::chrono::microseconds duration) {
  const double seconds = std::chrono::duration<double>(duration).count();
  const std::pair<std::string_view, std::string_view> key(method, route_template);
  Shard& shard = ThisThreadsShard();
  std::lock_guard lock(shard.mutex);
  auto it = shard.routes.find(key);
  if (it == shard.routes.end()) {
    it = shard.routes.emplace(RouteKey(method, route_template), RouteStats{}).first;
  }
  ++it->second.by_status[status];
  Histogram& histogram = it->second.latency;
  for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) {
      ++histogram.buckets[i];
      break;
    }
  }
  ++histogram.count;
  histogram.sum_seconds += seconds;
}

void Metrics::RecordServerError(std::string_view code) {
  Shard& shard = ThisThreadsShard();
  std::lock_guard lock(shard.mutex);
  auto it = shard.server_errors.find(code);
  if (it == shard.server_errors.end()) it = shard.server_errors.emplace(code, 0).first;
  ++it->second;
}

std::string Metrics::Render() const {
  // The sum of the shards, each read under its own lock.
  std::map<RouteKey, std::map<int, uint64_t>> requests;
  std::map<RouteKey, Histogram> latency;
  std::map<std::string, uint64_t> server_errors;
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [key, stats] : shard.routes) {
      for (const auto& [status, count] : stats.by_status) requests[key][status] += count;
      Histogram& total = latency[key];
      for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
        total.buckets[i] += stats.latency.buckets[i];
      }
      total.count += stats.latency.count;
      total.sum_seconds += stats.latency.sum_seconds;
    }
    for (const auto& [code, count] : shard.server_errors) server_errors[code] += count;
  }

  std::string out;

  AppendMetricHeader(out, "tt_http_requests_total", "counter",
                     "HTTP requests answered, by method, route template and status.");
  for (const auto& [key, by_status] : requests) {
    const std::string labels = OpenMethodRouteLabels(key);
    for (const auto& [status, count] : by_status) {
      out += "tt_http_requests_total";
      out += labels;
      out += ",status=\"" + std::to_string(status) + "\"} " + std::to_string(count) + '\n';
    }
  }

  AppendMetricHeader(out, "tt_http_request_duration_seconds", "histogram",
                     "Time from a request's first bytes to its answer being written, in seconds.");
  for (const auto& [key, histogram] : latency) {
    const std::string labels = OpenMethodRouteLabels(key);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
      cumulative += histogram.buckets[i];
      out += "tt_http_request_duration_seconds_bucket" + labels + ",le=\"";
      AppendNumber(out, kBucketsSeconds[i]);
      out += "\"} " + std::to_string(cumulative) + '\n';
    }
    out += "tt_http_request_duration_seconds_bucket" + labels + ",le=\"+Inf\"} " +
           std::to_string(histogram.count) + '\n';
    out += "tt_http_request_duration_seconds_sum" + labels + "} ";
    AppendNumber(out, histogram.sum_seconds);
    out += '\n';
    out += "tt_http_request_duration_seconds_count" + labels + "} " +
           std::to_string(histogram.count) + '\n';
  }

  AppendMetricHeader(out, "tt_server_errors_total", "counter",
                     "Answers that failed on the server's side (500 or 503), by error code.");
  for (const auto& [code, count] : server_errors) {
    out += "tt_server_errors_total{code=";
    AppendLabelValue(out, code);
    out += "} " + std::to_string(count) + '\n';
  }

  AppendMetricHeader(out, "tt_http_open_connections", "gauge", "HTTP connections open now.");
  out += "tt_http_open_connections " + std::to_string(open_connections_.load()) + '\n';

  AppendMetricHeader(out, "tt_http_rejected_connections_total", "counter",
                     "Connections closed at once because the server had its maximum open.");
  out +=
      "tt_http_rejected_connections_total " + std::to_string(rejected_connections_.load()) + '\n';
  return out;
}

}  // namespace tt::http
