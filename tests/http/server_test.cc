#include "http/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/http_test_client.h"
#include "support/temp_dir.h"

namespace tt::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;
using tt::testing::HttpTestClient;
using Clock = std::chrono::steady_clock;
using Response = HttpTestClient::Response;

// Generous bound for anything the test waits on: reaching it means the behaviour is missing,
// not that the machine is slow.
constexpr milliseconds kEventually{5'000};

// What the slow route's handler reports to the test thread.
struct SlowHandlerProbe {
  std::promise<void> started;
  std::atomic<bool> finished{false};
  Clock::time_point finished_at;  // written before `finished` is set
};

using HandlerResult = asio::awaitable<Result<api::Response>>;

api::Response JsonResponse(const boost::json::object& body, int status = 200) {
  return api::Response{status, "application/json", boost::json::serialize(body), {}};
}

// Answers with everything the handler was given, so tests can see the request mapping.
HandlerResult Echo(const api::Request& request) {
  boost::json::object params;
  for (const auto& [name, value] : request.path_params) params[name] = value;
  boost::json::array query;
  for (const auto& [name, value] : request.query) query.push_back(boost::json::array{name, value});
  co_return JsonResponse({{"method", request.method},
                          {"path", request.path},
                          {"params", params},
                          {"query", query},
                          {"token", request.credentials.token},
                          {"json_body", request.json_body},
                          {"if_match_version", request.if_match_version.value_or(0)},
                          {"body", request.body},
                          {"request_id", request.request_id}});
}

// Waits `ms` (query) on a timer, reporting to `probe`.
api::Handler SlowHandler(SlowHandlerProbe& probe) {
  return [&probe](const api::Request& request) -> HandlerResult {
    const auto ms = std::stoi(std::string(request.Query("ms").value_or("300")));
    probe.started.set_value();
    asio::steady_timer timer(co_await asio::this_coro::executor, milliseconds(ms));
    co_await timer.async_wait(asio::use_awaitable);
    probe.finished_at = Clock::now();
    probe.finished = true;
    co_return JsonResponse({{"slow", true}});
  };
}

std::vector<api::Route> MakeTestRoutes(SlowHandlerProbe& probe) {
  auto route = [](std::string method, std::string path, api::Handler handler) {
    return api::Route{std::move(method), std::move(path), api::Access::kPublic, std::move(handler)};
  };
  return {
      route("GET", "/echo", Echo),
      route("POST", "/echo", Echo),
      route("GET", "/things/{id}", Echo),
      route("DELETE", "/things/{id}",
            [](const api::Request&) -> HandlerResult {
              co_return api::Response{204, "application/json", "", {}};
            }),
      route("GET", "/error",
            [](const api::Request&) -> HandlerResult {
              co_return Error::Validation({{"name", "must not be empty"}});
            }),
      route("GET", "/rate-limited",
            [](const api::Request&) -> HandlerResult { co_return Error::RateLimited(30); }),
      route("GET", "/throw",
            [](const api::Request&) -> HandlerResult {
              throw std::runtime_error("connection string password=hunter2");
              co_return api::Response{};
            }),
      route("GET", "/slow", SlowHandler(probe)),
      route("POST", "/slow", SlowHandler(probe)),
  };
}

boost::json::value Json(const Response& response) { return boost::json::parse(response.body()); }

std::string ErrorCodeOf(const Response& response) {
  return std::string(Json(response).at("error").at("code").as_string());
}

bool Eventually(const std::function<bool()>& condition) {
  const auto until = Clock::now() + kEventually;
  while (!condition()) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

class ServerTest : public ::testing::Test {
 protected:
  static ServerOptions TestOptions() {
    ServerOptions options;
    options.port = 0;
    options.request_timeout = seconds(5);
    options.idle_timeout = seconds(30);
    options.write_timeout = seconds(5);
    options.shutdown_grace = seconds(10);
    return options;
  }

  ServerTest()
      : log_path_(temp_dir_.path() / "server.log"),
        log_file_(std::fopen(log_path_.c_str(), "a")),
        logger_(LogLevel::kInfo, log_file_),
        router_(MakeTestRoutes(slow_probe_)) {}

  ~ServerTest() override {
    StopServer();
    std::fclose(log_file_);
  }

  void StartServer(ServerOptions options = TestOptions()) {
    server_.emplace(io_, std::move(options), router_, metrics_, logger_);
    endpoint_ = server_->Listen();
    server_->Start();
    // Two threads, as in production (N threads): connections must only meet on their strands.
    for (int i = 0; i < 2; ++i) io_threads_.emplace_back([this] { io_.run(); });
  }

  // Starts Server::Shutdown on the server's io_context; the future holds when it completed.
  std::future<Clock::time_point> StartShutdown() {
    auto done = std::make_shared<std::promise<Clock::time_point>>();
    std::future<Clock::time_point> completed = done->get_future();
    asio::co_spawn(io_, server_->Shutdown(),
                   [done](std::exception_ptr) { done->set_value(Clock::now()); });
    shutdown_started_ = true;
    return completed;
  }

  void StopServer() {
    if (!server_) return;
    if (!shutdown_started_) StartShutdown().wait_for(seconds(30));
    work_.reset();
    io_.stop();
    for (std::thread& thread : io_threads_) thread.join();
    server_.reset();
  }

  HttpTestClient Connect() { return HttpTestClient(endpoint_); }

  std::string LogText() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  bool LogEventuallyContains(std::string_view text) const {
    return Eventually([&] { return LogText().find(text) != std::string::npos; });
  }
  bool MetricsEventuallyContain(std::string_view text) const {
    return Eventually([&] { return metrics_.Render().find(text) != std::string::npos; });
  }

  tt::testing::TempDir temp_dir_;
  std::filesystem::path log_path_;
  std::FILE* log_file_;
  Logger logger_;
  Metrics metrics_;
  SlowHandlerProbe slow_probe_;
  Router router_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::optional<Server> server_;
  asio::ip::tcp::endpoint endpoint_;
  std::vector<std::thread> io_threads_;
  bool shutdown_started_ = false;
};

TEST_F(ServerTest, ListenOnPortZeroPicksAFreePort) {
  StartServer();
  EXPECT_NE(endpoint_.port(), 0);
  EXPECT_TRUE(endpoint_.address().is_loopback());
}

TEST_F(ServerTest, KeepsTheConnectionAliveAcrossTwoRequests) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> first = client.Call(bhttp::verb::get, "/echo");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->result_int(), 200u);
  EXPECT_TRUE(first->keep_alive());
  std::optional<Response> second = client.Call(bhttp::verb::post, "/echo", R"({"n":2})");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->result_int(), 200u);
  EXPECT_EQ(Json(*second).at("body").as_string(), R"({"n":2})");
  EXPECT_EQ(metrics_.open_connections(), 1);
}

TEST_F(ServerTest, ClosesAfterAnswerWhenClientAsksToClose) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response =
      client.Call(bhttp::verb::get, "/echo", "", {{"Connection", "close"}});
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.WaitForClose(kEventually));
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  StartServer();
  HttpTestClient closing = Connect();
  std::optional<Response> response = closing.CallRaw("GET /echo HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(response->version(), 10u);
  EXPECT_TRUE(closing.WaitForClose(kEventually));

  HttpTestClient keeping = Connect();
  const std::string_view keep_alive = "GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
  response = keeping.CallRaw(keep_alive);
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)[bhttp::field::connection], "keep-alive");
  response = keeping.CallRaw(keep_alive);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
}

TEST_F(ServerTest, UnknownPathIs404WithTheContractBody) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.Call(bhttp::verb::get, "/nowhere");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 404u);
  EXPECT_EQ((*response)[bhttp::field::content_type], "application/json");
  EXPECT_EQ(ErrorCodeOf(*response), "not_found");
  EXPECT_EQ(Json(*response).at("error").at("message").as_string(), "no such route");
}

TEST_F(ServerTest, KnownPathWithOtherMethodIs405WithAllowHeader) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.Call(bhttp::verb::post, "/things/t1", "{}");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 405u);
  EXPECT_EQ(ErrorCodeOf(*response), "method_not_allowed");
  EXPECT_EQ((*response)[bhttp::field::allow], "DELETE, GET");
}

TEST_F(ServerTest, HeadIs405WithoutABodySoTheConnectionStaysInStep) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_FALSE(client.Send(HttpTestClient::Request(bhttp::verb::head, "/echo", 11)));
  std::optional<Response> response = client.ReadHeadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 405u);
  EXPECT_EQ((*response)[bhttp::field::allow], "GET, POST");
  std::optional<Response> next = client.Call(bhttp::verb::get, "/echo");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200u);
}

TEST_F(ServerTest, HandlerErrorBecomesTheContractErrorBody) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.Call(bhttp::verb::get, "/error");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 422u);
  boost::json::value body = Json(*response);
  EXPECT_EQ(body.at("error").at("code").as_string(), "validation_failed");
  EXPECT_EQ(body.at("error").at("fields").at("name").as_string(), "must not be empty");
}

TEST_F(ServerTest, RateLimitedErrorCarriesRetryAfter) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.Call(bhttp::verb::get, "/rate-limited");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 429u);
  EXPECT_EQ((*response)[bhttp::field::retry_after], "30");
}

TEST_F(ServerTest, HandlerExceptionIsAGeneric500AndIsLoggedWithTheRequestId) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response =
      client.Call(bhttp::verb::get, "/throw", "", {{"X-Request-Id", "trace-500"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500u);
  EXPECT_EQ(ErrorCodeOf(*response), "internal");
  EXPECT_EQ(Json(*response).at("error").at("message").as_string(), "internal error");
  EXPECT_THAT(response->body(), Not(HasSubstr("hunter2")));

  EXPECT_TRUE(LogEventuallyContains("ERROR request_id=trace-500"));
  EXPECT_THAT(LogText(), HasSubstr("password=hunter2"));
  EXPECT_TRUE(MetricsEventuallyContain("tt_server_errors_total{code=\"internal\"} 1\n"));

  // The connection survives a handler's failure.
  std::optional<Response> next = client.Call(bhttp::verb::get, "/echo");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200u);
}

TEST_F(ServerTest, BodyAtTheLimitIsAccepted) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response =
      client.Call(bhttp::verb::post, "/echo", std::string(1024 * 1024, 'a'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(Json(*response).at("body").as_string().size(), 1024u * 1024u);
}

TEST_F(ServerTest, BodyOverTheLimitIs413AndCloses) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response =
      client.Call(bhttp::verb::post, "/echo", std::string(1024 * 1024 + 1, 'a'));
  ASSERT_TRUE(response) << client.last_read_error().message();
  EXPECT_EQ(response->result_int(), 413u);
  EXPECT_EQ(ErrorCodeOf(*response), "payload_too_large");
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.WaitForClose(kEventually));
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  ServerOptions options = TestOptions();
  options.max_body_bytes = 100;
  StartServer(options);
  HttpTestClient client = Connect();
  const std::string chunk(60, 'a');
  std::optional<Response> response =
      client.CallRaw("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3c\r\n" +
                     chunk + "\r\n3c\r\n" + chunk + "\r\n0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 413u);
}

TEST_F(ServerTest, ChunkedBodyWithinTheLimitIsAccepted) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.CallRaw(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(Json(*response).at("body").as_string(), "abcde");
}

TEST_F(ServerTest, HeaderBlockOverTheLimitIs431AndCloses) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response =
      client.Call(bhttp::verb::get, "/echo", "", {{"X-Padding", std::string(17 * 1024, 'p')}});
  ASSERT_TRUE(response) << client.last_read_error().message();
  EXPECT_EQ(response->result_int(), 431u);
  EXPECT_EQ(ErrorCodeOf(*response), "bad_request");
  EXPECT_EQ(Json(*response).at("error").at("message").as_string(),
            "request header block too large");
  EXPECT_TRUE(client.WaitForClose(kEventually));
}

TEST_F(ServerTest, GarbageIs400AndCloses) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.CallRaw("this is not http\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_EQ(ErrorCodeOf(*response), "bad_request");
  EXPECT_TRUE(client.WaitForClose(kEventually));
}

TEST_F(ServerTest, ContentLengthWithTransferEncodingIs400AndCloses) {
  StartServer();
  for (std::string_view framing : {
           "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
           "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
           "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n",
       }) {
    HttpTestClient client = Connect();
    std::optional<Response> response = client.CallRaw("POST /echo HTTP/1.1\r\nHost: t\r\n" +
                                                      std::string(framing) + "\r\n0\r\n\r\n");
    ASSERT_TRUE(response) << framing;
    EXPECT_EQ(response->result_int(), 400u) << framing;
    EXPECT_TRUE(client.WaitForClose(kEventually)) << framing;
  }
}

TEST_F(ServerTest, TransferEncodingNotEndingInChunkedIs400) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response =
      client.CallRaw("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nxyz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400u);
}

TEST_F(ServerTest, ConflictingContentLengthsAre400) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.CallRaw(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_TRUE(client.WaitForClose(kEventually));
}

TEST_F(ServerTest, MalformedTargetIs400) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.CallRaw("GET /echo%zz HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400u);
  EXPECT_EQ(ErrorCodeOf(*response), "bad_request");
}

TEST_F(ServerTest, DecodesPathParametersAndQuery) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response =
      client.Call(bhttp::verb::get, "/things/a%20b?q=x+y&limit=5&q=z");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  boost::json::value body = Json(*response);
  EXPECT_EQ(body.at("path").as_string(), "/things/a b");
  EXPECT_EQ(body.at("params").at("id").as_string(), "a b");
  EXPECT_EQ(boost::json::serialize(body.at("query")), R"([["q","x y"],["limit","5"],["q","z"]])");
}

TEST_F(ServerTest, PassesAuthorizationContentTypeAndIfMatchToTheHandler) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.Call(bhttp::verb::post, "/echo", "{}",
                                                 {{"Authorization", "Bearer tok"},
                                                  {"Content-Type", "application/json"},
                                                  {"If-Match", "\"2\""}});
  ASSERT_TRUE(response);
  boost::json::value body = Json(*response);
  EXPECT_EQ(body.at("token").as_string(), "tok");
  EXPECT_TRUE(body.at("json_body").as_bool());
  EXPECT_EQ(body.at("if_match_version").as_int64(), 2);
}

TEST_F(ServerTest, EchoesAValidClientRequestId) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response =
      client.Call(bhttp::verb::get, "/echo", "", {{"X-Request-Id", "abc.DEF-123_x"}});
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)["X-Request-Id"], "abc.DEF-123_x");
  EXPECT_EQ(Json(*response).at("request_id").as_string(), "abc.DEF-123_x");
}

TEST_F(ServerTest, GeneratesARequestIdWhenNoneOrAnInvalidOneIsSent) {
  StartServer();
  HttpTestClient client = Connect();
  for (const HttpTestClient::Headers& headers :
       {HttpTestClient::Headers{}, HttpTestClient::Headers{{"X-Request-Id", "no spaces allowed"}},
        HttpTestClient::Headers{{"X-Request-Id", std::string(65, 'a')}}}) {
    std::optional<Response> response = client.Call(bhttp::verb::get, "/echo", "", headers);
    ASSERT_TRUE(response);
    const std::string id((*response)["X-Request-Id"]);
    EXPECT_EQ(id.size(), 16u) << id;
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    EXPECT_EQ(Json(*response).at("request_id").as_string(), id);
  }
}

TEST_F(ServerTest, ErrorAnswersForUnreadableRequestsCarryARequestIdToo) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.CallRaw("this is not http\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)["X-Request-Id"].size(), 16u);
}

TEST_F(ServerTest, SendsNoServerHeader) {
  StartServer();
  HttpTestClient client = Connect();
  for (std::string_view target : {"/echo", "/nowhere", "/throw"}) {
    std::optional<Response> response = client.Call(bhttp::verb::get, target);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->find(bhttp::field::server), response->end()) << target;
  }
}

TEST_F(ServerTest, NoContentHasNeitherBodyNorContentTypeAndKeepsFraming) {
  StartServer();
  HttpTestClient client = Connect();
  std::optional<Response> response = client.Call(bhttp::verb::delete_, "/things/t1");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 204u);
  EXPECT_TRUE(response->body().empty());
  EXPECT_EQ(response->find(bhttp::field::content_type), response->end());
  EXPECT_EQ(response->find(bhttp::field::content_length), response->end());
  std::optional<Response> next = client.Call(bhttp::verb::get, "/echo");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200u);
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimAnswerBeforeTheBody) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_FALSE(client.SendRaw(
      "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  std::optional<Response> interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100u);
  ASSERT_FALSE(client.SendRaw("hello"));
  std::optional<Response> response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_EQ(Json(*response).at("body").as_string(), "hello");
}

TEST_F(ServerTest, AccessLogHasOneLinePerRequestWithoutQueryTokenOrBody) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.Call(bhttp::verb::get, "/things/t1?secret=s3cr3t", "body-b0dy",
                          {{"Authorization", "Bearer tok-123"}, {"X-Request-Id", "log-1"}}));
  EXPECT_TRUE(
      LogEventuallyContains("INFO http method=GET route=/things/{id} status=200 duration_ms="));
  const std::string log = LogText();
  EXPECT_THAT(log, HasSubstr(" request_id=log-1\n"));
  EXPECT_THAT(log, Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(log, Not(HasSubstr("tok-123")));
  EXPECT_THAT(log, Not(HasSubstr("b0dy")));
}

TEST_F(ServerTest, RecordsMetricsForMatchedAndUnmatchedRoutes) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.Call(bhttp::verb::get, "/things/t1"));
  ASSERT_TRUE(client.Call(bhttp::verb::get, "/nowhere"));
  EXPECT_TRUE(MetricsEventuallyContain(
      "tt_http_requests_total{method=\"GET\",route=\"/things/{id}\",status=\"200\"} 1\n"));
  EXPECT_TRUE(MetricsEventuallyContain(
      "tt_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_THAT(metrics_.Render(),
              HasSubstr("tt_http_request_duration_seconds_count{method=\"GET\",route=\"/things/"
                        "{id}\"} 1\n"));
}

TEST_F(ServerTest, SlowClientIsDisconnectedAfterRequestTimeout) {
  ServerOptions options = TestOptions();
  options.request_timeout = milliseconds(300);
  StartServer(options);
  HttpTestClient client = Connect();
  const auto sent = Clock::now();
  ASSERT_FALSE(client.SendRaw("GET /echo HTTP/1.1\r\nHost: t\r\n"));
  EXPECT_TRUE(client.WaitForClose(kEventually));
  EXPECT_GE(Clock::now() - sent, milliseconds(250));
}

TEST_F(ServerTest, TricklingClientCannotHoldAConnectionPastRequestTimeout) {
  ServerOptions options = TestOptions();
  options.request_timeout = milliseconds(300);
  StartServer(options);
  HttpTestClient client = Connect();
  const std::string request = "GET /echo HTTP/1.1\r\nHost: t\r\nX-Slow: " + std::string(500, 's');
  const auto started = Clock::now();
  bool closed = false;
  for (char byte : request) {
    if (client.SendRaw(std::string_view(&byte, 1)) || client.WaitForClose(milliseconds(50))) {
      closed = true;
      break;
    }
  }
  EXPECT_TRUE(closed);
  EXPECT_GE(Clock::now() - started, milliseconds(250)) << "bytes kept arriving until then";
  EXPECT_LT(Clock::now() - started, milliseconds(3'000));
}

TEST_F(ServerTest, IdleKeptAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options = TestOptions();
  options.idle_timeout = milliseconds(300);
  StartServer(options);
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.Call(bhttp::verb::get, "/echo"));
  EXPECT_TRUE(client.WaitForClose(kEventually));
}

TEST_F(ServerTest, ConnectionsBeyondTheMaximumAreClosedAtOnce) {
  ServerOptions options = TestOptions();
  options.max_connections = 1;
  StartServer(options);
  HttpTestClient first = Connect();
  ASSERT_TRUE(first.Call(bhttp::verb::get, "/echo"));  // registered before the second arrives

  HttpTestClient second = Connect();
  EXPECT_TRUE(second.WaitForClose(kEventually));
  EXPECT_TRUE(MetricsEventuallyContain("tt_http_rejected_connections_total 1\n"));

  std::optional<Response> still_served = first.Call(bhttp::verb::get, "/echo");
  ASSERT_TRUE(still_served);
  EXPECT_EQ(still_served->result_int(), 200u);
}

TEST_F(ServerTest, ShutdownLetsAnInFlightRequestFinishThenCompletes) {
  StartServer();
  HttpTestClient client = Connect();
  ASSERT_FALSE(client.Send(HttpTestClient::Request(bhttp::verb::get, "/slow?ms=300", 11)));
  ASSERT_EQ(slow_probe_.started.get_future().wait_for(kEventually), std::future_status::ready);

  std::future<Clock::time_point> shutdown = StartShutdown();
  std::optional<Response> response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200u);
  EXPECT_FALSE(response->keep_alive()) << "answered in-flight requests end their connection";
  EXPECT_TRUE(client.WaitForClose(kEventually));

  ASSERT_EQ(shutdown.wait_for(kEventually), std::future_status::ready);
  EXPECT_TRUE(slow_probe_.finished);
  EXPECT_GE(shutdown.get(), slow_probe_.finished_at);
  EXPECT_THROW(Connect(), boost::system::system_error) << "no longer accepting";
}

TEST_F(ServerTest, ShutdownClosesIdleConnectionsAtOnce) {
  ServerOptions options = TestOptions();
  options.shutdown_grace = seconds(60);
  StartServer(options);
  HttpTestClient client = Connect();
  ASSERT_TRUE(client.Call(bhttp::verb::get, "/echo"));
  HttpTestClient silent = Connect();  // connected, never sent a byte

  std::future<Clock::time_point> shutdown = StartShutdown();
  EXPECT_TRUE(client.WaitForClose(kEventually));
  EXPECT_TRUE(silent.WaitForClose(kEventually));
  EXPECT_EQ(shutdown.wait_for(kEventually), std::future_status::ready);
}

TEST_F(ServerTest, ShutdownClosesRequestsStillRunningAfterTheGrace) {
  ServerOptions options = TestOptions();
  options.shutdown_grace = milliseconds(200);
  StartServer(options);
  HttpTestClient client = Connect();
  ASSERT_FALSE(client.Send(HttpTestClient::Request(bhttp::verb::get, "/slow?ms=60000", 11)));
  ASSERT_EQ(slow_probe_.started.get_future().wait_for(kEventually), std::future_status::ready);

  std::future<Clock::time_point> shutdown = StartShutdown();
  EXPECT_EQ(shutdown.wait_for(kEventually), std::future_status::ready);
  EXPECT_TRUE(client.WaitForClose(kEventually));
  EXPECT_FALSE(slow_probe_.finished);
  EXPECT_THAT(LogText(), HasSubstr("WARN http shutdown: closing 1 connections"));
}

TEST_F(ServerTest, ReadWhoseClientLeftIsCancelledAndLoggedAs499) {
  ServerOptions options = TestOptions();
  options.cancel_reads_on_hangup = true;
  StartServer(options);
  std::optional<HttpTestClient> client(std::in_place, endpoint_);
  ASSERT_FALSE(client->Send(HttpTestClient::Request(bhttp::verb::get, "/slow?ms=60000", 11)));
  ASSERT_EQ(slow_probe_.started.get_future().wait_for(kEventually), std::future_status::ready);

  client.reset();  // the client gives up and closes

  EXPECT_TRUE(MetricsEventuallyContain(
      "tt_http_requests_total{method=\"GET\",route=\"/slow\",status=\"499\"} 1\n"));
  EXPECT_TRUE(LogEventuallyContains("route=/slow status=499"));
  EXPECT_FALSE(slow_probe_.finished);
  EXPECT_THAT(LogText(), Not(HasSubstr("ERROR"))) << "a cancelled handler is not a failure";
  // The server goes on serving.
  std::optional<Response> next = Connect().Call(bhttp::verb::get, "/echo");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200u);
}

TEST_F(ServerTest, WriteWhoseClientLeftRunsToTheEnd) {
  ServerOptions options = TestOptions();
  options.cancel_reads_on_hangup = true;
  StartServer(options);
  std::optional<HttpTestClient> client(std::in_place, endpoint_);
  ASSERT_FALSE(client->Send(HttpTestClient::Request(bhttp::verb::post, "/slow?ms=300", 11)));
  ASSERT_EQ(slow_probe_.started.get_future().wait_for(kEventually), std::future_status::ready);

  client.reset();

  EXPECT_TRUE(Eventually([&] { return slow_probe_.finished.load(); }));
  EXPECT_TRUE(MetricsEventuallyContain(
      "tt_http_requests_total{method=\"POST\",route=\"/slow\",status=\"200\"} 1\n"));
}

TEST_F(ServerTest, PipelinedRequestDoesNotCancelTheReadBeforeIt) {
  ServerOptions options = TestOptions();
  options.cancel_reads_on_hangup = true;
  StartServer(options);
  HttpTestClient client = Connect();
  // The second request arrives while the first one's handler waits: the socket turns readable
  // with bytes to read, which is no hang-up.
  ASSERT_FALSE(client.SendRaw(
      "GET /slow?ms=200 HTTP/1.1\r\nHost: t\r\n\r\nGET /echo HTTP/1.1\r\nHost: t\r\n\r\n"));

  std::optional<Response> first = client.Read();
  std::optional<Response> second = client.Read();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(first->result_int(), 200u);
  EXPECT_EQ(Json(*first).at("slow"), true);
  EXPECT_EQ(second->result_int(), 200u);
  EXPECT_TRUE(slow_probe_.finished);
}

TEST_F(ServerTest, WithoutTheOptionAReadWhoseClientLeftRunsToTheEnd) {
  StartServer();
  std::optional<HttpTestClient> client(std::in_place, endpoint_);
  ASSERT_FALSE(client->Send(HttpTestClient::Request(bhttp::verb::get, "/slow?ms=300", 11)));
  ASSERT_EQ(slow_probe_.started.get_future().wait_for(kEventually), std::future_status::ready);

  client.reset();

  EXPECT_TRUE(Eventually([&] { return slow_probe_.finished.load(); }));
}

}  // namespace
}  // namespace tt::http
