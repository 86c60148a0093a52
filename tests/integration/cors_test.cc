// Browser clients on other origins (CORS), over real HTTP: the headers of every answer, preflights
// and their refusals, checked with a plain client, and then in a real browser (Debian's headless
// Chromium), which is what actually enforces the protocol.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "api_fixture.h"

namespace tt::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

constexpr const char* kAppOrigin = "https://app.example";

bool HasAccessControlHeader(const HttpResponse& response) {
  for (const auto& [name, value] : response.headers) {
    if (name.starts_with("access-control-")) return true;
  }
  return false;
}

class Cors : public ::testing::Test {
 protected:
  // A server that allows `origins` (--cors-origins), or none when empty.
  std::unique_ptr<ServerProcess> StartServer(const std::string& origins) {
    std::vector<std::string> args;
    if (!origins.empty()) args = {"--cors-origins", origins};
    return std::make_unique<ServerProcess>(
        dir_.path() / ("cors" + std::to_string(++servers_) + ".db"), args);
  }

  TempDir dir_;
  int servers_ = 0;
};

TEST_F(Cors, AllowedOriginGetsItselfBackOnEveryAnswerErrorsIncluded) {
  auto server = StartServer(std::string(kAppOrigin) + ",http://127.0.0.1:5173");
  HttpClient client(server->port());
  const Headers from_app = {{"Origin", kAppOrigin}};
  for (const HttpResponse& response :
       {client.Get("/healthz", "", from_app), client.Get("/competitions/nope", "", from_app),
        client.Post("/competitions", boost::json::object{}, "", from_app),
        client.Send("DELETE", "/healthz", "", nullptr, from_app)}) {
    EXPECT_EQ(response.Header("access-control-allow-origin"), kAppOrigin) << response.status;
    EXPECT_EQ(response.Header("vary"), "Origin");
    EXPECT_EQ(response.Header("access-control-expose-headers"),
              "ETag, Location, Retry-After, X-Request-Id");
    EXPECT_FALSE(response.HasHeader("access-control-allow-credentials"));
  }
  // A request refused before it is read whole (a body over the limit) still answers in kind.
  std::string raw = client.SendRaw(
      "POST /competitions HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example\r\n"
      "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n");
  EXPECT_NE(raw.find("HTTP/1.1 413"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Access-Control-Allow-Origin: https://app.example"), std::string::npos) << raw;
}

TEST_F(Cors, OtherOriginsAndMalformedOnesGetNoCorsHeaders) {
  auto server = StartServer(kAppOrigin);
  HttpClient client(server->port());
  for (const char* origin : {"https://evil.example", "https://app.example/", "null",
                             "https://app.example.evil.example", "not an origin"}) {
    HttpResponse response = client.Get("/healthz", "", {{"Origin", origin}});
    EXPECT_EQ(response.status, 200);
    EXPECT_FALSE(HasAccessControlHeader(response)) << origin;
  }
  EXPECT_FALSE(HasAccessControlHeader(client.Get("/healthz")));
}

TEST_F(Cors, WithoutTheSettingNoAnswerCarriesCorsHeaders) {
  auto server = StartServer("");
  HttpClient client(server->port());
  HttpResponse response = client.Get("/healthz", "", {{"Origin", kAppOrigin}});
  EXPECT_FALSE(HasAccessControlHeader(response));
  EXPECT_FALSE(response.HasHeader("vary"));
  HttpResponse preflight =
      client.Send("OPTIONS", "/competitions", "", nullptr,
                  {{"Origin", kAppOrigin}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(preflight.status, 403);
  EXPECT_FALSE(HasAccessControlHeader(preflight));
}

TEST_F(Cors, PreflightOnAKnownRouteListsItsMethodsAndIsRefusedForOtherOrigins) {
  auto server = StartServer("*");
  HttpClient client(server->port());
  const Headers preflight = {{"Origin", "http://localhost:8080"},
                             {"Access-Control-Request-Method", "PATCH"},
                             {"Access-Control-Request-Headers", "authorization,if-match"}};
  HttpResponse allowed = client.Send(
      "OPTIONS", "/competitions/9c2e7b14-3f6a-4d81-b5e9-7a0c4f2d8e31", "", nullptr, preflight);
  EXPECT_EQ(allowed.status, 204);
  EXPECT_EQ(allowed.body, "");
  EXPECT_EQ(allowed.Header("access-control-allow-origin"), "http://localhost:8080");
  EXPECT_EQ(allowed.Header("access-control-allow-methods"), "DELETE, GET, PATCH");
  EXPECT_EQ(allowed.Header("access-control-allow-headers"),
            "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id");
  EXPECT_EQ(allowed.Header("access-control-max-age"), "7200");

  HttpResponse opaque =
      client.Send("OPTIONS", "/competitions", "", nullptr,
                  {{"Origin", "null"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(opaque.status, 403);
  EXPECT_EQ(ErrorCodeOf(opaque), "forbidden");
  EXPECT_FALSE(HasAccessControlHeader(opaque));

  HttpResponse unknown = client.Send("OPTIONS", "/no/such/route", "", nullptr, preflight);
  EXPECT_EQ(unknown.status, 404);
  // OPTIONS that is not a preflight says what the path allows.
  HttpResponse plain = client.Send("OPTIONS", "/competitions");
  EXPECT_EQ(plain.status, 204);
  EXPECT_EQ(plain.Header("allow"), "GET, POST, OPTIONS");
}

TEST(CorsSetting, AMalformedOriginStopsTheServerWithAClearMessage) {
  CommandResult result = RunServerCommand(
      {"serve", "--listen", "127.0.0.1:0", "--cors-origins", "https://app.example/"});
  EXPECT_EQ(result.exit_status, 2) << result.output;
  EXPECT_NE(result.output.find("--cors-origins"), std::string::npos) << result.output;
}

// ---- In a real browser --------------------------------------------------------------------

// A web site on loopback for the browser: GET serves `page(path, host)`, POST /result stores the
// body for the test. Reached as 127.0.0.1 and as localhost, which are two origins.
class TestSite {
 public:
  using Page = std::function<std::string(const std::string& path)>;

  explicit TestSite(Page page) : page_(std::move(page)), acceptor_(io_) {
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~TestSite() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wakes the blocking accept with a connection of our own.
    asio::ip::tcp::socket poke(io_);
    poke.connect({asio::ip::make_address("127.0.0.1"), port_}, ignored);
    thread_.join();
  }

  uint16_t port() const { return port_; }

  // The bodies posted to /result so far, waiting up to `timeout` for at least `count`.
  std::vector<std::string> WaitForResults(size_t count, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    results_arrived_.wait_for(lock, timeout, [&] { return results_.size() >= count; });
    return results_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      asio::ip::tcp::socket socket(io_);
      boost::system::error_code error;
      acceptor_.accept(socket, error);
      if (error || stopping_) continue;
      beast::flat_buffer buffer;
      bhttp::request<bhttp::string_body> request;
      bhttp::read(socket, buffer, request, error);
      if (error) continue;
      bhttp::response<bhttp::string_body> response{bhttp::status::ok, 11};
      const std::string target(request.target());
      if (request.method() == bhttp::verb::post && target == "/result") {
        std::lock_guard lock(mutex_);
        results_.push_back(request.body());
        results_arrived_.notify_all();
        response.set(bhttp::field::content_type, "text/plain");
      } else if (target == "/favicon.ico") {
        response.result(bhttp::status::not_found);
      } else {
        response.set(bhttp::field::content_type, "text/html; charset=utf-8");
        response.body() = page_(target);
      }
      response.keep_alive(false);
      response.prepare_payload();
      bhttp::write(socket, response, error);
      socket.shutdown(asio::ip::tcp::socket::shutdown_both, error);
    }
  }

  Page page_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable results_arrived_;
  std::vector<std::string> results_;
};

// Debian's Chromium, headless, on `url`, until the object is destroyed. Started as the Chromium
// probe of this machine kind does: root needs --no-sandbox, and the background-networking flags
// keep it from calling hosts this closed network refuses.
class HeadlessChromium {
 public:
  HeadlessChromium(const std::filesystem::path& profile, const std::string& url) {
    pid_ = fork();
    if (pid_ == 0) {
      const std::string user_data_dir = "--user-data-dir=" + profile.string();
      // Its log (D-Bus and GPU complaints of a headless root session) would drown the test's.
      const int log = open((profile.string() + ".log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
      }
      execl(kChromium, kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--mute-audio", user_data_dir.c_str(),
            url.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~HeadlessChromium() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

  static constexpr const char* kChromium = "/usr/bin/chromium";

 private:
  pid_t pid_ = -1;
};

// The page's script: on the allowed origin, the whole flow a web front end runs (sign up, sign
// in, create a competition, PATCH it with If-Match, which needs a preflight, and read the ETag
// and Location headers back); on the other origin, one fetch the browser must block. Each page
// posts what it saw to /result on its own origin; the first then moves to the second.
std::string BrowserPage(uint16_t api_port, uint16_t site_port, const std::string& path) {
  const std::string api = "http://127.0.0.1:" + std::to_string(api_port);
  const std::string next = "http://localhost:" + std::to_string(site_port) + "/blocked";
  if (path == "/blocked") {
    return R"(<!doctype html><title>blocked</title><script>
(async () => {
  const seen = {page: 'blocked'};
  try {
    const response = await fetch(')" +
           api + R"(/healthz');
    seen.status = response.status;
  } catch (error) {
    seen.blocked = error instanceof TypeError;
  }
  await fetch('/result', {method: 'POST', body: JSON.stringify(seen)});
})();
</script>)";
  }
  return R"(<!doctype html><title>app</title><script>
const api = ')" +
         api + R"(';
const json = {'Content-Type': 'application/json'};
(async () => {
  const seen = {page: 'app'};
  try {
    const user = {username: 'browser_' + Date.now(), password: 'correct horse battery'};
    let response = await fetch(api + '/users', {method: 'POST', headers: json, body: JSON.stringify(user)});
    seen.sign_up = response.status;
    response = await fetch(api + '/sessions', {method: 'POST', headers: json, body: JSON.stringify(user)});
    seen.sign_in = response.status;
    const token = (await response.json()).token;
    const auth = {...json, Authorization: 'Bearer ' + token};
    response = await fetch(api + '/competitions', {method: 'POST', headers: auth, body: JSON.stringify(
        {name: 'Browser Games', location: 'Oslo', start_date: '2027-06-10', end_date: '2027-06-11'})});
    seen.create = response.status;
    seen.create_etag = response.headers.get('ETag');
    seen.location = response.headers.get('Location');
    seen.request_id = response.headers.get('X-Request-Id');
    const id = (await response.json()).id;
    response = await fetch(api + '/competitions/' + id, {method: 'PATCH',
        headers: {...auth, 'If-Match': seen.create_etag}, body: JSON.stringify({name: 'Renamed Games'})});
    seen.patch = response.status;
    seen.patch_etag = response.headers.get('ETag');
    seen.patched_name = (await response.json()).name;
    response = await fetch(api + '/competitions/' + id, {method: 'PATCH',
        headers: {...auth, 'If-Match': seen.create_etag}, body: JSON.stringify({name: 'Stale'})});
    seen.stale_patch = response.status;
  } catch (error) {
    seen.error = String(error);
  }
  await fetch('/result', {method: 'POST', body: JSON.stringify(seen)});
  location.href = ')" +
         next + R"(';
})();
</script>)";
}

TEST_F(Cors, ARealBrowserCallsTheApiFromAnAllowedOriginAndIsBlockedFromAnother) {
  ASSERT_TRUE(std::filesystem::exists(HeadlessChromium::kChromium))
      << "Debian's chromium is missing: scripts/test.sh installs it";
  std::atomic<uint16_t> api_port{0};
  std::atomic<uint16_t> site_port{0};
  TestSite site([&](const std::string& path) { return BrowserPage(api_port, site_port, path); });
  site_port = site.port();
  auto server = StartServer("http://127.0.0.1:" + std::to_string(site.port()));
  api_port = server->port();

  std::vector<std::string> results;
  {
    HeadlessChromium browser(dir_.path() / "chromium-profile",
                             "http://127.0.0.1:" + std::to_string(site.port()) + "/app");
    results = site.WaitForResults(2, std::chrono::seconds(90));
  }
  ASSERT_EQ(results.size(), 2U) << "the browser reported " << results.size()
                                << " of 2 pages; server log:\n"
                                << server->Log();
  const boost::json::object app = boost::json::parse(results[0]).as_object();
  EXPECT_FALSE(app.contains("error")) << results[0];
  EXPECT_EQ(app.at("sign_up").as_int64(), 201) << results[0];
  EXPECT_EQ(app.at("sign_in").as_int64(), 201) << results[0];
  EXPECT_EQ(app.at("create").as_int64(), 201) << results[0];
  EXPECT_EQ(Str(app.at("create_etag")), "\"1\"") << "ETag must be exposed to the page";
  EXPECT_TRUE(Str(app.at("location")).starts_with("/competitions/")) << results[0];
  EXPECT_FALSE(Str(app.at("request_id")).empty()) << results[0];
  EXPECT_EQ(app.at("patch").as_int64(), 200) << results[0];
  EXPECT_EQ(Str(app.at("patch_etag")), "\"2\"") << results[0];
  EXPECT_EQ(Str(app.at("patched_name")), "Renamed Games");
  EXPECT_EQ(app.at("stale_patch").as_int64(), 412) << "errors reach the page too";

  const boost::json::object blocked = boost::json::parse(results[1]).as_object();
  EXPECT_EQ(Str(blocked.at("page")), "blocked");
  EXPECT_FALSE(blocked.contains("status"))
      << "the browser let a disallowed origin read: " << results[1];
  EXPECT_TRUE(blocked.contains("blocked") && blocked.at("blocked").as_bool()) << results[1];

  // The browser asked before the PATCH (a preflight); the server answered it.
  const std::string log = server->WaitForLog("method=OPTIONS route=options status=204");
  EXPECT_NE(log.find("method=OPTIONS route=options status=204"), std::string::npos) << log;
}

}  // namespace
}  // namespace tt::testing
