#include "http/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tt::http {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Metrics, EveryFamilyHasHelpAndTypeLines) {
  Metrics metrics;
  const std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("# HELP tt_http_requests_total "));
  EXPECT_THAT(text, HasSubstr("# TYPE tt_http_requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("# HELP tt_http_request_duration_seconds "));
  EXPECT_THAT(text, HasSubstr("# TYPE tt_http_request_duration_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE tt_server_errors_total counter\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE tt_http_open_connections gauge\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE tt_http_rejected_connections_total counter\n"));
  EXPECT_EQ(text.back(), '\n') << "the format requires a final line feed";
}

TEST(Metrics, CountsRequestsByMethodRouteAndStatus) {
  Metrics metrics;
  metrics.RecordRequest("GET", "/competitions/{id}", 200, milliseconds(1));
  metrics.RecordRequest("GET", "/competitions/{id}", 200, milliseconds(1));
  metrics.RecordRequest("GET", "/competitions/{id}", 404, milliseconds(1));
  metrics.RecordRequest("POST", "/competitions", 201, milliseconds(1));
  const std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("tt_http_requests_total{method=\"GET\",route=\"/competitions/{id}\","
                              "status=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("tt_http_requests_total{method=\"GET\",route=\"/competitions/{id}\","
                              "status=\"404\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("tt_http_requests_total{method=\"POST\",route=\"/competitions\","
                              "status=\"201\"} 1\n"));
}

TEST(Metrics, HistogramBucketsAreCumulativeAndEndWithInf) {
  Metrics metrics;
  metrics.RecordRequest("GET", "/x", 200, microseconds(300));        // <= 0.0005
  metrics.RecordRequest("GET", "/x", 200, microseconds(2'000));      // <= 0.0025
  metrics.RecordRequest("GET", "/x", 200, std::chrono::seconds(5));  // only +Inf
  const std::string text = metrics.Render();
  const std::string prefix = "tt_http_request_duration_seconds_bucket{method=\"GET\",route=\"/x\",";
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"0.0005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"0.001\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"0.0025\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"2.5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"+Inf\"} 3\n"));
  const std::string sum_prefix =
      "tt_http_request_duration_seconds_sum{method=\"GET\",route=\"/x\"} ";
  const size_t sum_at = text.find(sum_prefix);
  ASSERT_NE(sum_at, std::string::npos);
  EXPECT_NEAR(std::stod(text.substr(sum_at + sum_prefix.size())), 5.0023, 1e-9);
  EXPECT_THAT(text, HasSubstr("tt_http_request_duration_seconds_count{method=\"GET\",route=\"/x\"}"
                              " 3\n"));
}

TEST(Metrics, BucketLinesIncreaseMonotonically) {
  Metrics metrics;
  for (int ms : {0, 1, 3, 7, 20, 40, 90, 200, 400, 900, 2000, 3000}) {
    metrics.RecordRequest("GET", "/x", 200, milliseconds(ms));
  }
  uint64_t previous = 0;
  int buckets = 0;
  for (const std::string& line : Lines(metrics.Render())) {
    if (line.rfind("tt_http_request_duration_seconds_bucket", 0) != 0) continue;
    const uint64_t value = std::stoull(line.substr(line.rfind(' ') + 1));
    EXPECT_GE(value, previous) << line;
    previous = value;
    ++buckets;
  }
  EXPECT_EQ(buckets, 13);  // 12 bounds and +Inf
  EXPECT_EQ(previous, 12u);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Metrics metrics;
  metrics.RecordRequest("GET", "/a\"b\\c\nd", 200, milliseconds(1));
  EXPECT_THAT(metrics.Render(), HasSubstr("route=\"/a\\\"b\\\\c\\nd\""));
  EXPECT_THAT(metrics.Render(), Not(HasSubstr("c\nd")));
}

TEST(Metrics, CountsServerErrorsByCode) {
  Metrics metrics;
  metrics.RecordServerError("internal");
  metrics.RecordServerError("internal");
  metrics.RecordServerError("unavailable");
  const std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("tt_server_errors_total{code=\"internal\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("tt_server_errors_total{code=\"unavailable\"} 1\n"));
}

TEST(Metrics, GaugesOpenConnectionsAndCountsRejectedOnes) {
  Metrics metrics;
  metrics.ConnectionOpened();
  metrics.ConnectionOpened();
  metrics.ConnectionClosed();
  metrics.ConnectionRejected();
  EXPECT_EQ(metrics.open_connections(), 1);
  const std::string text = metrics.Render();
  EXPECT_THAT(text, HasSubstr("\ntt_http_open_connections 1\n"));
  EXPECT_THAT(text, HasSubstr("\ntt_http_rejected_connections_total 1\n"));
}

TEST(Metrics, EverySampleLineHasANameAndANumber) {
  Metrics metrics;
  metrics.RecordRequest("GET", "/x", 200, milliseconds(3));
  metrics.RecordServerError("internal");
  for (const std::string& line : Lines(metrics.Render())) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    EXPECT_EQ(line.rfind("tt_", 0), 0u) << line;
    size_t parsed = 0;
    std::stod(line.substr(space + 1), &parsed);
    EXPECT_EQ(parsed, line.size() - space - 1) << line;
  }
}

}  // namespace
}  // namespace tt::http

namespace tt::http {
namespace {

// Threads record into shards of their own; the rendered text is their sum.
TEST(Metrics, ConcurrentRecordingFromManyThreadsAddsUp) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 1000; ++i) {
        metrics.RecordRequest("GET", "/competitions/{id}", 200, std::chrono::microseconds(100));
        if (i % 100 == 0) metrics.RecordServerError("unavailable");
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::string text = metrics.Render();
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "tt_http_requests_total{method=\"GET\",route=\"/competitions/{id}\","
                        "status=\"200\"} 12000\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("tt_http_request_duration_seconds_count{method=\"GET\","
                                         "route=\"/competitions/{id}\"} 12000\n"));
  EXPECT_THAT(text, ::testing::HasSubstr("tt_server_errors_total{code=\"unavailable\"} 120\n"));
}

}  // namespace
}  // namespace tt::http
