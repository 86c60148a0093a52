// Hostile clients: slow, oversized, idle and garbled connections cannot take the server down,
// nor keep it from answering a normal client.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "api_fixture.h"

namespace tt::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A raw TCP connection to the server, for clients that do not play by the rules.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~RawConnection() { close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool Send(std::string_view bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // Whether the server has closed the connection (reads past any answer it sent).
  bool ClosedByServer() {
    char buffer[4096];
    while (true) {
      ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
      if (n == 0) return true;
      if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

size_t OpenFileDescriptors(pid_t pid) {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++count;
  }
  return count;
}

// Answers GET /healthz and reports how long it took.
std::chrono::milliseconds TimedHealthCheck(const HttpClient& client) {
  const auto started = Clock::now();
  HttpResponse response = client.Get("/healthz");
  EXPECT_EQ(response.status, 200);
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
}

class HostileClients : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestBackend() == Backend::kDynamoDb) {
      GTEST_SKIP() << "the transport's defences do not depend on the store; run once, on SQLite";
    }
  }
  void StartServer(std::vector<std::string> args) {
    server_ = std::make_unique<ServerProcess>(dir_.path() / "track.db", std::move(args));
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(HostileClients, SlowlorisConnectionsAreCutAtTheRequestDeadlineWhileOthersAreServed) {
  StartServer({"--request-timeout", "1"});
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 100; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(slow.back()->connected());
    slow.back()->Send("GET /healthz HTTP/1.1\r\nX-Slow: ");
  }
  // Each sends one more header byte every 100 ms, for longer than the deadline.
  const auto until = Clock::now() + std::chrono::milliseconds(2500);
  while (Clock::now() < until) {
    for (auto& connection : slow) connection->Send("a");
    EXPECT_LT(TimedHealthCheck(*client_).count(), 1000) << "a normal client waited";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  size_t closed = 0;
  for (auto& connection : slow) closed += connection->ClosedByServer() ? 1 : 0;
  EXPECT_EQ(closed, slow.size()) << "slow connections outlived the request deadline";
}

TEST_F(HostileClients, AFloodOfIdleConnectionsIsBoundedAndExpires) {
  StartServer({"--max-connections", "64", "--idle-timeout", "1", "--request-timeout", "1"});
  const size_t baseline = OpenFileDescriptors(server_->pid());
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 300; ++i) idle.push_back(std::make_unique<RawConnection>(server_->port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LE(OpenFileDescriptors(server_->pid()), baseline + 64 + 4)
      << "connections beyond the limit must be closed";
  // Once the idle ones have timed out, normal clients are served again.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_LT(TimedHealthCheck(*client_).count(), 1000);
  size_t closed = 0;
  for (auto& connection : idle) closed += connection->ClosedByServer() ? 1 : 0;
  EXPECT_EQ(closed, idle.size());
  EXPECT_LE(OpenFileDescriptors(server_->pid()), baseline + 4);
}

TEST_F(HostileClients, OversizedHeadersAreRefusedWith431) {
  StartServer({});
  std::string answer = client_->SendRaw(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 431")) << answer.substr(0, 200);
  EXPECT_NE(answer.find("\"bad_request\""), std::string::npos);
  EXPECT_LT(TimedHealthCheck(*client_).count(), 1000);
}

TEST_F(HostileClients, PipelinedGarbageGetsTheGoodAnswersThenA400AndTheConnectionEnds) {
  StartServer({});
  std::string answer = client_->SendRaw(
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
      "\x01\x02 NOT HTTP AT ALL\r\n\r\n");
  size_t first = answer.find("HTTP/1.1 200");
  size_t second = answer.find("HTTP/1.1 200", first + 1);
  size_t refused = answer.find("HTTP/1.1 400", second + 1);
  EXPECT_NE(first, std::string::npos) << answer;
  EXPECT_NE(second, std::string::npos) << answer;
  EXPECT_NE(refused, std::string::npos) << answer;
  EXPECT_LT(TimedHealthCheck(*client_).count(), 1000);
}

TEST_F(HostileClients, ABodyLargerThanItsContentLengthPromiseIsNotWaitedForBeyondTheDeadline) {
  StartServer({"--request-timeout", "1"});
  RawConnection connection(server_->port());
  connection.Send(
      "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000\r\n\r\n{\"username\":");
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  EXPECT_TRUE(connection.ClosedByServer());
}

}  // namespace
}  // namespace tt::testing
