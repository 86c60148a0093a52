#include "webhooks/sender.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <mutex>
#include <thread>

#include "support/run_sync.h"
#include "support/test_certificate.h"

namespace tt::webhooks {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ::tt::testing::MakeSelfSignedCertificate;
using ::tt::testing::RunSync;
using ::tt::testing::TestCertificate;
using namespace std::chrono_literals;

// A webhook receiver on 127.0.0.1, on a thread of its own: it records each request and answers
// as the test told it (or never), over plain HTTP or over TLS with `certificate`.
class Receiver {
 public:
  explicit Receiver(const TestCertificate* certificate = nullptr,
                    const char* listen_address = "127.0.0.1")
      : tls_(asio::ssl::context::tls_server),
        acceptor_(io_, {asio::ip::make_address(listen_address), 0}) {
    if (certificate != nullptr) {
      use_tls_ = true;
      tls_.use_certificate_chain(asio::buffer(certificate->certificate_pem));
      tls_.use_private_key(asio::buffer(certificate->private_key_pem), asio::ssl::context::pem);
    }
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Receiver() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string Url(std::string_view host, std::string_view path = "/") const {
    return std::string(use_tls_ ? "https://" : "http://") + std::string(host) + ":" +
           std::to_string(port()) + std::string(path);
  }
  // Answers each request with `status`, `body_bytes` of body and `headers`.
  void Answer(int status, size_t body_bytes = 0,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    std::lock_guard lock(mutex_);
    status_ = status;
    body_bytes_ = body_bytes;
    headers_ = std::move(headers);
  }
  void NeverAnswer() { Answer(0); }
  // Sends bodies chunked (no Content-Length to judge them by before reading).
  void set_chunked(bool chunked) {
    std::lock_guard lock(mutex_);
    chunked_ = chunked;
  }

  std::vector<http::request<http::string_body>> Received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  int connections() const { return connections_.load(); }

 private:
  asio::awaitable<void> Accept() {
    while (true) {
      tcp::socket socket = co_await acceptor_.async_accept(asio::use_awaitable);
      ++connections_;
      asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    if (!use_tls_) {
      beast::tcp_stream stream(std::move(socket));
      co_await Exchange(stream);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls_);
    co_await stream.async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
    co_await Exchange(stream);
  }

  template <typename Stream>
  asio::awaitable<void> Exchange(Stream& stream) {
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    co_await http::async_read(stream, buffer, request, asio::use_awaitable);
    int status;
    size_t body_bytes;
    std::vector<std::pair<std::string, std::string>> headers;
    bool chunked;
    {
      std::lock_guard lock(mutex_);
      received_.push_back(request);
      status = status_;
      body_bytes = body_bytes_;
      headers = headers_;
      chunked = chunked_;
    }
    if (status == 0) {  // never answer: hold the connection open until the receiver goes
      asio::steady_timer forever(co_await asio::this_coro::executor, std::chrono::hours(1));
      co_await forever.async_wait(asio::use_awaitable);
    }
    http::response<http::string_body> response{static_cast<http::status>(status), 11};
    for (const auto& [name, value] : headers) response.set(name, value);
    response.body() = std::string(body_bytes, 'x');
    response.prepare_payload();
    if (chunked) response.chunked(true);
    co_await http::async_write(stream, response, asio::use_awaitable);
  }

  asio::io_context io_;
  asio::ssl::context tls_;
  bool use_tls_ = false;
  tcp::acceptor acceptor_;
  std::thread thread_;
  mutable std::mutex mutex_;
  int status_ = 200;
  size_t body_bytes_ = 0;
  bool chunked_ = false;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<http::request<http::string_body>> received_;
  std::atomic<int> connections_{0};
};

OutgoingWebhook Webhook(std::string url) {
  return {std::move(url),
          {{"content-type", "application/json"}, {"webhook-id", "msg_42"}},
          R"({"type":"competition.created","timestamp":"2026-12-07T10:00:00Z","data":{}})"};
}

class SenderTest : public ::testing::Test {
 protected:
  SenderTest() : trusting_(asio::ssl::context::tls_client) {
    options_.allow_private = true;
    options_.timeout = 2s;
    trusting_.set_verify_mode(asio::ssl::verify_peer);
    options_.tls = &trusting_;
  }
  SendOutcome Send(const OutgoingWebhook& webhook) {
    return RunSync(SendWebhook(webhook, options_));
  }

  asio::ssl::context trusting_;
  SenderOptions options_;
};

TEST_F(SenderTest, PostsTheHeadersAndBodyAndReportsTheStatus) {
  Receiver receiver;
  receiver.Answer(204);
  const OutgoingWebhook webhook = Webhook(receiver.Url("127.0.0.1", "/hooks/track?team=1"));
  const SendOutcome outcome = Send(webhook);
  EXPECT_EQ(outcome.status, 204) << outcome.error;
  EXPECT_TRUE(outcome.Succeeded());
  const auto received = receiver.Received();
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(received[0].method(), http::verb::post);
  EXPECT_EQ(received[0].target(), "/hooks/track?team=1");
  EXPECT_EQ(received[0][http::field::content_type], "application/json");
  EXPECT_EQ(received[0]["webhook-id"], "msg_42");
  EXPECT_EQ(received[0][http::field::host], "127.0.0.1:" + std::to_string(receiver.port()));
  EXPECT_EQ(received[0].body(), webhook.body);

  // A query without a path still makes a valid request line; the scheme is case-insensitive.
  EXPECT_EQ(Send(Webhook(receiver.Url("127.0.0.1", "?team=2"))).status, 204);
  std::string upper = receiver.Url("127.0.0.1", "/upper");
  upper.replace(0, 4, "HTTP");
  EXPECT_EQ(Send(Webhook(upper)).status, 204);
  const auto all = receiver.Received();
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[1].target(), "/?team=2");
  EXPECT_EQ(all[2].target(), "/upper");
}

TEST_F(SenderTest, AnErrorStatusIsAnAnswerNotASuccess) {
  Receiver receiver;
  for (int status : {500, 410, 400}) {
    receiver.Answer(status);
    const SendOutcome outcome = Send(Webhook(receiver.Url("127.0.0.1")));
    EXPECT_EQ(outcome.status, status);
    EXPECT_FALSE(outcome.Succeeded());
    EXPECT_EQ(outcome.error, "");
  }
}

TEST_F(SenderTest, RedirectsAreNotFollowed) {
  Receiver elsewhere;
  Receiver receiver;
  receiver.Answer(307, 0, {{"location", elsewhere.Url("127.0.0.1")}});
  const SendOutcome outcome = Send(Webhook(receiver.Url("127.0.0.1")));
  EXPECT_EQ(outcome.status, 307);
  EXPECT_FALSE(outcome.Succeeded());
  EXPECT_EQ(elsewhere.connections(), 0);
}

TEST_F(SenderTest, AReceiverThatNeverAnswersTimesOut) {
  Receiver receiver;
  receiver.NeverAnswer();
  options_.timeout = 300ms;
  const SendOutcome outcome = Send(Webhook(receiver.Url("127.0.0.1")));
  EXPECT_FALSE(outcome.status.has_value());
  EXPECT_NE(outcome.error.find("timed out"), std::string::npos) << outcome.error;
  EXPECT_EQ(receiver.Received().size(), 1U) << "the request itself went out";
}

TEST_F(SenderTest, AtMostMaxResponseBytesOfTheAnswerAreRead) {
  Receiver receiver;
  receiver.Answer(200, 1024 * 1024);
  SendOutcome outcome = Send(Webhook(receiver.Url("127.0.0.1")));
  EXPECT_EQ(outcome.status, 200);
  EXPECT_TRUE(outcome.Succeeded());
  EXPECT_TRUE(outcome.body_truncated);
  receiver.set_chunked(true);
  outcome = Send(Webhook(receiver.Url("127.0.0.1")));
  EXPECT_EQ(outcome.status, 200);
  EXPECT_TRUE(outcome.body_truncated);
  receiver.Answer(200, 1000);
  outcome = Send(Webhook(receiver.Url("127.0.0.1")));
  EXPECT_EQ(outcome.status, 200);
  EXPECT_FALSE(outcome.body_truncated);
}

TEST_F(SenderTest, ARefusedConnectionIsAnError) {
  uint16_t closed_port;
  {
    asio::io_context io;
    tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  const SendOutcome outcome =
      Send(Webhook("http://127.0.0.1:" + std::to_string(closed_port) + "/"));
  EXPECT_FALSE(outcome.status.has_value());
  EXPECT_NE(outcome.error.find("connecting"), std::string::npos) << outcome.error;
}

// Without --webhook-allow-private: loopback is refused whether the URL names the address or a
// name that resolves to it (as a rebound DNS name would), and before any connection.
TEST_F(SenderTest, NonPublicDestinationsAreRefusedBeforeAnyConnection) {
  const TestCertificate certificate = MakeSelfSignedCertificate();
  Receiver receiver(&certificate);
  options_.allow_private = false;
  for (const char* host : {"127.0.0.1", "localhost"}) {
    const SendOutcome outcome = Send(Webhook(receiver.Url(host)));
    EXPECT_FALSE(outcome.status.has_value()) << host;
    EXPECT_NE(outcome.error.find("no public address"), std::string::npos) << outcome.error;
  }
  EXPECT_EQ(receiver.connections(), 0);
  const SendOutcome plain = Send(Webhook("http://example.com/hook"));
  EXPECT_NE(plain.error.find("plain http is refused"), std::string::npos) << plain.error;
  EXPECT_EQ(Send(Webhook("ftp://example.com/")).error, "not an http or https URL");
}

TEST_F(SenderTest, TlsCertificatesAreVerifiedWithTheHostName) {
  const TestCertificate certificate = MakeSelfSignedCertificate();
  Receiver receiver(&certificate);
  receiver.Answer(200);
  trusting_.add_certificate_authority(asio::buffer(certificate.certificate_pem));
  for (const char* host : {"localhost", "127.0.0.1"}) {  // the name and the address are in its SAN
    const SendOutcome outcome = Send(Webhook(receiver.Url(host)));
    EXPECT_EQ(outcome.status, 200) << host << ": " << outcome.error;
  }
  EXPECT_EQ(receiver.Received().size(), 2U);

  // A client that does not trust the certificate gets no further than the handshake.
  asio::ssl::context system_trust(asio::ssl::context::tls_client);
  system_trust.set_default_verify_paths();
  system_trust.set_verify_mode(asio::ssl::verify_peer);
  options_.tls = &system_trust;
  const SendOutcome untrusted = Send(Webhook(receiver.Url("localhost")));
  EXPECT_FALSE(untrusted.status.has_value());
  EXPECT_NE(untrusted.error.find("TLS handshake"), std::string::npos) << untrusted.error;
  EXPECT_EQ(receiver.Received().size(), 2U) << "nothing was sent to it";
}

TEST_F(SenderTest, TheCertificateMustNameTheHost) {
  const TestCertificate certificate = MakeSelfSignedCertificate();  // localhost, 127.0.0.1
  // Linux routes all of 127/8 to loopback: 127.0.0.2 is this machine too, but not an address
  // the certificate vouches for.
  Receiver receiver(&certificate, "127.0.0.2");
  trusting_.add_certificate_authority(asio::buffer(certificate.certificate_pem));
  const SendOutcome outcome = Send(Webhook(receiver.Url("127.0.0.2")));
  EXPECT_FALSE(outcome.status.has_value());
  EXPECT_NE(outcome.error.find("TLS handshake"), std::string::npos) << outcome.error;
}

}  // namespace
}  // namespace tt::webhooks
