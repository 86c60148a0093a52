// The DynamoDB client against dynalite (an in-memory DynamoDB run by tests/support/dynalite.h)
// and against scripted HTTP(S) servers in this file that fail in the ways DynamoDB and networks
// do: 5xx, throttling, dropped and silent connections, untrusted certificates.
#include "storage/dynamodb/client.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "storage/dynamodb/sigv4.h"
#include "support/dynalite.h"
#include "support/log_file.h"
#include "support/run_sync.h"
#include "support/temp_dir.h"

namespace tt::dynamodb {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using HttpRequest = bhttp::request<bhttp::string_body>;
using HttpResponse = bhttp::response<bhttp::string_body>;
using testing::Dynalite;
using testing::RunSync;
using testing::TempDir;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kAccessKey = "AKIDEXAMPLE";
constexpr std::string_view kSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// Small backoff so that retry tests take milliseconds.
ClientOptions Options(std::string endpoint) {
  ClientOptions options;
  options.settings.credentials = {std::string(kAccessKey), std::string(kSecretKey), {}};
  options.settings.region = "us-east-1";
  options.settings.endpoint = std::move(endpoint);
  options.max_attempts = 3;
  options.base_backoff = std::chrono::milliseconds(1);
  options.max_backoff = std::chrono::milliseconds(5);
  return options;
}

json::object Json(std::string_view text) { return json::parse(text).as_object(); }

Result<Reply> CallOnce(Client& client, std::string_view operation, json::object request = {}) {
  return RunSync(client.Call(operation, request));
}

// `count` calls one after the other on one io_context, so the later ones may reuse connections.
asio::awaitable<std::vector<Result<Reply>>> CallInTurn(Client& client, std::string operation,
                                                       int count) {
  std::vector<Result<Reply>> results;
  for (int i = 0; i < count; ++i) results.push_back(co_await client.Call(operation, {}));
  co_return results;
}

// Collects what the client logs, to check what an operator would read.
class CapturedLog {
 public:
  Logger& logger() { return logger_; }
  std::string Text() { return file_.Text(); }

 private:
  ::tt::testing::LogFile file_;  // outlives logger_
  Logger logger_{LogLevel::kDebug, file_.get()};
};

// ---- A scripted HTTP(S) server -----------------------------------------------------------------

struct Answer {
  int status = 200;
  std::string body = "{}";
  bool close = false;    // answer with `Connection: close`, then close
  bool hang_up = false;  // close the connection instead of answering
  bool silent = false;   // never answer, keep the connection open
};

Answer Throttled() {
  return {400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException",)"
               R"("message":"Rate of requests exceeds the allowed throughput."})"};
}

// Answers the n-th request with answers[n] (the last one once they run out), on 127.0.0.1 from
// a thread of its own, over TLS when given a context. Records requests and connections.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<Answer> answers, ssl::context* tls = nullptr)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}),
        port_(acceptor_.local_endpoint().port()),
        tls_(tls),
        answers_(std::move(answers)) {
    asio::co_spawn(io_, AcceptLoop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ScriptedServer() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return port_; }
  std::string endpoint() const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }
  int connections() const { return connections_.load(); }
  int handshake_failures() const { return handshake_failures_.load(); }
  std::vector<HttpRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  asio::awaitable<void> AcceptLoop() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      ++connections_;
      asio::co_spawn(io_, Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    if (tls_ == nullptr) {
      co_await ServeHttp(socket);
      co_return;
    }
    ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kNoThrow);
    if (ec) {
      ++handshake_failures_;
      co_return;
    }
    co_await ServeHttp(stream);
  }

  template <typename Stream>
  asio::awaitable<void> ServeHttp(Stream& stream) {
    beast::flat_buffer buffer;
    while (true) {
      HttpRequest request;
      auto [read_error, n] = co_await bhttp::async_read(stream, buffer, request, kNoThrow);
      if (read_error) co_return;
      Answer answer;
      {
        std::lock_guard lock(mutex_);
        answer = answers_[std::min(requests_.size(), answers_.size() - 1)];
        requests_.push_back(request);
      }
      if (answer.hang_up) co_return;
      if (answer.silent) continue;
      HttpResponse response{static_cast<bhttp::status>(answer.status), 11};
      response.set(bhttp::field::content_type, "application/x-amz-json-1.0");
      response.body() = answer.body;
      response.keep_alive(!answer.close);
      response.prepare_payload();
      auto [write_error, written] = co_await bhttp::async_write(stream, response, kNoThrow);
      if (write_error || answer.close) co_return;
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  const uint16_t port_;
  ssl::context* const tls_;
  const std::vector<Answer> answers_;
  std::mutex mutex_;
  std::vector<HttpRequest> requests_;  // guarded by mutex_
  std::atomic<int> connections_{0};
  std::atomic<int> handshake_failures_{0};
  std::thread thread_;
};

// ---- Certificates made for the test -------------------------------------------------------------

struct Certificate {
  std::string certificate_pem;
  std::string private_key_pem;
};

// A self-signed certificate for `subject_alt_name` (e.g. "DNS:localhost"), valid for a day.
Certificate MakeSelfSignedCertificate(const std::string& subject_alt_name) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) throw std::runtime_error("OpenSSL: cannot make a key");
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("tt-test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
  const std::pair<int, std::string> extensions[] = {{NID_basic_constraints, "critical,CA:TRUE"},
                                                    {NID_subject_alt_name, subject_alt_name}};
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    if (extension == nullptr) throw std::runtime_error("OpenSSL: bad extension " + value);
    X509_add_ext(cert.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("OpenSSL: cannot sign");
  }
  auto to_pem = [](auto write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || write(bio.get()) != 1) throw std::runtime_error("OpenSSL: cannot write PEM");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
  };
  Certificate result;
  result.certificate_pem = to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
  result.private_key_pem = to_pem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  return result;
}

ssl::context ServerTlsContext(const Certificate& certificate) {
  ssl::context context(ssl::context::tls_server);
  context.use_certificate_chain(asio::buffer(certificate.certificate_pem));
  context.use_private_key(asio::buffer(certificate.private_key_pem), ssl::context::pem);
  return context;
}

// Builds a client that trusts `certificate` (besides the system's CAs), the way an operator
// would point OpenSSL at a private CA: SSL_CERT_FILE, read when the client loads its CAs.
std::unique_ptr<Client> ClientTrusting(const Certificate& certificate, const TempDir& dir,
                                       ClientOptions options, Logger& logger) {
  const std::filesystem::path file = dir.path() / "ca.pem";
  std::ofstream(file) << certificate.certificate_pem;
  ::setenv("SSL_CERT_FILE", file.c_str(), 1);
  auto client = std::make_unique<Client>(std::move(options), logger);
  ::unsetenv("SSL_CERT_FILE");
  return client;
}

// ---- Against dynalite -----------------------------------------------------------------------

json::object CreateTableRequest(std::string_view table) {
  json::object request = Json(R"({
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST"
  })");
  request["TableName"] = table;
  return request;
}

json::object PutRequest(std::string_view table, std::string_view key, std::string_view value) {
  json::object request;
  request["TableName"] = table;
  request["Item"] = {{"pk", {{"S", key}}}, {"value", {{"S", value}}}};
  return request;
}

class ClientWithDynalite : public ::testing::Test {
 protected:
  Logger logger_{LogLevel::kWarn};
  Dynalite dynalite_;
  Client client_{Options(dynalite_.endpoint()), logger_};
};

TEST_F(ClientWithDynalite, DescribeMissingTableIsResourceNotFoundReply) {
  Result<Reply> reply = CallOnce(client_, "DescribeTable", Json(R"({"TableName": "missing"})"));

  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(reply->error_type, "ResourceNotFoundException");
  EXPECT_EQ(reply->http_status, 400);
  EXPECT_TRUE(reply->body.contains("message"));
  EXPECT_EQ(client_.attempts(), 1u);
}

TEST_F(ClientWithDynalite, CreatePutAndGetRoundTrip) {
  Result<Reply> created = CallOnce(client_, "CreateTable", CreateTableRequest("things"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_EQ(created->error_type, "") << json::serialize(created->body);
  EXPECT_EQ(created->http_status, 200);

  Result<Reply> put = CallOnce(client_, "PutItem", PutRequest("things", "a", "héllo \"1\""));
  ASSERT_TRUE(put.ok()) << put.error().message;
  ASSERT_EQ(put->error_type, "") << json::serialize(put->body);

  Result<Reply> got =
      CallOnce(client_, "GetItem", Json(R"({"TableName": "things", "Key": {"pk": {"S": "a"}}})"));
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->error_type, "");
  EXPECT_EQ(got->body.at("Item").at("value").at("S"), "héllo \"1\"");
}

TEST_F(ClientWithDynalite, FailedConditionComesBackAsReply) {
  ASSERT_TRUE(CallOnce(client_, "CreateTable", CreateTableRequest("things")).ok());
  json::object put = PutRequest("things", "a", "first");
  put["ConditionExpression"] = "attribute_not_exists(pk)";
  Result<Reply> first = CallOnce(client_, "PutItem", put);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->error_type, "");

  Result<Reply> second = CallOnce(client_, "PutItem", put);

  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->error_type, "ConditionalCheckFailedException");
  EXPECT_EQ(second->http_status, 400);
  EXPECT_EQ(client_.attempts(), 3u) << "a failed condition is an answer, not retried";
}

asio::awaitable<void> PutOne(Client& client, int i, Result<Reply>& result) {
  result = co_await client.Call("PutItem", PutRequest("things", "key-" + std::to_string(i), "v"));
}

TEST_F(ClientWithDynalite, ConcurrentCallsFromTwoThreadsSucceed) {
  ASSERT_TRUE(CallOnce(client_, "CreateTable", CreateTableRequest("things")).ok());
  Client client(Options(dynalite_.endpoint()), logger_);
  constexpr int kCalls = 50;
  std::vector<Result<Reply>> results(kCalls);
  asio::io_context io;
  for (int i = 0; i < kCalls; ++i) {
    asio::co_spawn(io, PutOne(client, i, results[i]), asio::detached);
  }
  std::thread second_thread([&io] { io.run(); });
  io.run();
  second_thread.join();

  for (int i = 0; i < kCalls; ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].error().message;
    EXPECT_EQ(results[i]->error_type, "") << i;
  }
  EXPECT_EQ(client.attempts(), static_cast<uint64_t>(kCalls)) << "nothing was retried";
  Result<Reply> count =
      CallOnce(client_, "Scan", Json(R"({"TableName": "things", "Select": "COUNT"})"));
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->body.at("Count"), kCalls);
}

asio::awaitable<std::vector<Result<Reply>>> OutageScenario(Client& client, Dynalite& dynalite) {
  std::vector<Result<Reply>> results;
  results.push_back(co_await client.Call("ListTables", {}));
  dynalite.Stop();
  results.push_back(co_await client.Call("ListTables", {}));
  dynalite.Start();
  results.push_back(co_await client.Call("ListTables", {}));
  results.push_back(co_await client.Call("ListTables", {}));
  co_return results;
}

TEST_F(ClientWithDynalite, RecoversWhenDynaliteComesBackOnTheSamePort) {
  const uint16_t port = dynalite_.port();

  // On one io_context, so that the connection pooled before the outage is offered again.
  std::vector<Result<Reply>> results = RunSync(OutageScenario(client_, dynalite_));

  ASSERT_EQ(dynalite_.port(), port);
  ASSERT_TRUE(results[0].ok()) << results[0].error().message;
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(results[1].error().message, "DynamoDB is unreachable");
  ASSERT_TRUE(results[2].ok()) << results[2].error().message;
  EXPECT_EQ(results[2]->error_type, "");
  ASSERT_TRUE(results[3].ok()) << results[3].error().message;
  EXPECT_EQ(client_.attempts(), 1u + 3u + 1u + 1u);
}

TEST(DynaliteHarness, StopsAndStartsOnTheSamePort) {
  Dynalite dynalite;
  const uint16_t port = dynalite.port();
  EXPECT_NE(port, 0);
  EXPECT_EQ(dynalite.endpoint(), "http://127.0.0.1:" + std::to_string(port));
  dynalite.Stop();
  EXPECT_FALSE(dynalite.running());
  dynalite.Stop();  // idempotent
  dynalite.Start();
  EXPECT_TRUE(dynalite.running());
  EXPECT_EQ(dynalite.port(), port);
}

TEST(DynaliteHarness, PortInUseIsAClearError) {
  asio::io_context io;
  tcp::acceptor taken(io, {asio::ip::make_address("127.0.0.1"), 0});
  const uint16_t port = taken.local_endpoint().port();
  try {
    Dynalite dynalite(port);
    FAIL() << "started on a port in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot start dynalite"), std::string::npos) << e.what();
  }
}

TEST(DynaliteHarness, MissingNodeIsAClearError) {
  const std::string path = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "";
  ::setenv("PATH", "/nonexistent", 1);
  try {
    Dynalite dynalite;
    ::setenv("PATH", path.c_str(), 1);
    FAIL() << "started without node";
  } catch (const std::runtime_error& e) {
    ::setenv("PATH", path.c_str(), 1);
    EXPECT_NE(std::string(e.what()).find("npm ci"), std::string::npos) << e.what();
  }
}

// ---- Retries, against scripted servers --------------------------------------------------------

TEST(Client, NothingListeningIsUnavailableAfterMaxAttempts) {
  // Bound but not listening: connections are refused, and no other test can take the port.
  asio::io_context io;
  tcp::socket placeholder(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = placeholder.local_endpoint().port();
  CapturedLog log;
  Client client(Options("http://127.0.0.1:" + std::to_string(port)), log.logger());

  Result<Reply> reply = CallOnce(client, "ListTables");

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(reply.error().message, "DynamoDB is unreachable");
  EXPECT_EQ(client.attempts(), 3u);
  const std::string text = log.Text();
  EXPECT_NE(text.find("WARN"), std::string::npos) << text;
  EXPECT_NE(text.find("ListTables"), std::string::npos) << text;
  EXPECT_NE(text.find("failed after 3 attempts"), std::string::npos) << text;
  EXPECT_NE(text.find("refused"), std::string::npos) << text;
  EXPECT_EQ(text.find(kSecretKey), std::string::npos) << "never log credentials";
  EXPECT_EQ(text.find("Signature="), std::string::npos) << "never log signatures";
}

TEST(Client, ServerErrorsAreRetried) {
  ScriptedServer server({{500, R"({"__type":"com.amazon.coral.service#InternalFailure"})"},
                         {503, "<html>Service Unavailable</html>"},
                         {200, R"({"TableNames":[]})"}});
  Logger logger(LogLevel::kWarn);
  Client client(Options(server.endpoint()), logger);

  Result<Reply> reply = CallOnce(client, "ListTables");

  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(reply->error_type, "");
  EXPECT_TRUE(reply->body.contains("TableNames"));
  EXPECT_EQ(client.attempts(), 3u);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(Client, ThrottlingIsRetried) {
  ScriptedServer server({Throttled(), Throttled(), {200, "{}"}});
  Logger logger(LogLevel::kWarn);
  Client client(Options(server.endpoint()), logger);

  Result<Reply> reply = CallOnce(client, "PutItem");

  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(reply->error_type, "");
  EXPECT_EQ(client.attempts(), 3u);
}

TEST(Client, PersistentThrottlingIsUnavailable) {
  ScriptedServer server({Throttled()});
  Logger logger(LogLevel::kOff);
  Client client(Options(server.endpoint()), logger);

  Result<Reply> reply = CallOnce(client, "PutItem");

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(reply.error().message, "DynamoDB is throttling requests");
  EXPECT_EQ(client.attempts(), 3u);
}

TEST(Client, OtherErrorsAreAnsweredAtOnce) {
  ScriptedServer server(
      {{400, R"({"__type":"com.amazon.coral.validate#ValidationException:http://internal/",)"
             R"("message":"1 validation error detected"})"}});
  Logger logger(LogLevel::kWarn);
  Client client(Options(server.endpoint()), logger);

  Result<Reply> reply = CallOnce(client, "Query");

  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(reply->error_type, "ValidationException");
  EXPECT_EQ(reply->http_status, 400);
  EXPECT_EQ(reply->body.at("message"), "1 validation error detected");
  EXPECT_EQ(client.attempts(), 1u);
}

TEST(Client, AnswerThatIsNotJsonIsInternal) {
  ScriptedServer server({{200, "<html>proxy login</html>"}});
  CapturedLog log;
  Client client(Options(server.endpoint()), log.logger());

  Result<Reply> reply = CallOnce(client, "GetItem");

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kInternal);
  EXPECT_EQ(client.attempts(), 1u);
  EXPECT_NE(log.Text().find("not a JSON object"), std::string::npos) << log.Text();
}

TEST(Client, SilentServerTimesOutEachAttempt) {
  ScriptedServer server({Answer{.silent = true}});
  Logger logger(LogLevel::kOff);
  ClientOptions options = Options(server.endpoint());
  options.attempt_timeout = std::chrono::milliseconds(100);
  options.max_attempts = 2;
  Client client(options, logger);
  const auto started = std::chrono::steady_clock::now();

  Result<Reply> reply = CallOnce(client, "GetItem");

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(client.attempts(), 2u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST(Client, ConnectionDroppedBeforeAnAnswerIsRetried) {
  ScriptedServer server({{.hang_up = true}, {200, "{}"}});
  Logger logger(LogLevel::kOff);
  Client client(Options(server.endpoint()), logger);

  Result<Reply> reply = CallOnce(client, "GetItem");

  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(client.attempts(), 2u) << "a new connection that fails counts as an attempt";
}

// ---- The connection pool ----------------------------------------------------------------------

TEST(Client, SequentialCallsReuseOneConnection) {
  ScriptedServer server({{200, "{}"}});
  Logger logger(LogLevel::kWarn);
  Client client(Options(server.endpoint()), logger);

  std::vector<Result<Reply>> results = RunSync(CallInTurn(client, "ListTables", 5));

  for (const Result<Reply>& result : results) ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(client.attempts(), 5u);
}

TEST(Client, ConnectionCloseAnswerIsNotReused) {
  ScriptedServer server({Answer{.close = true}});
  Logger logger(LogLevel::kWarn);
  Client client(Options(server.endpoint()), logger);

  std::vector<Result<Reply>> results = RunSync(CallInTurn(client, "ListTables", 3));

  for (const Result<Reply>& result : results) ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(server.connections(), 3);
  EXPECT_EQ(client.attempts(), 3u) << "no request was sent on a closed connection";
}

TEST(Client, IdleConnectionClosedByServerIsReplacedWithoutCountingAnAttempt) {
  // The second request arrives on the kept connection, which the server closes unanswered, as
  // a keep-alive timeout racing the request would.
  ScriptedServer server({{200, "{}"}, {.hang_up = true}, {200, "{}"}});
  Logger logger(LogLevel::kWarn);
  Client client(Options(server.endpoint()), logger);

  std::vector<Result<Reply>> results = RunSync(CallInTurn(client, "ListTables", 2));

  for (const Result<Reply>& result : results) ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(client.attempts(), 2u);
}

TEST(Client, CallsFromSuccessiveIoContextsUseTheirOwnConnections) {
  // Each RunSync runs on an io_context destroyed afterwards; its idle connection must go with
  // it rather than be used (or closed) after its reactor is gone.
  ScriptedServer server({{200, "{}"}});
  Logger logger(LogLevel::kWarn);
  Client client(Options(server.endpoint()), logger);

  for (int i = 0; i < 3; ++i) {
    Result<Reply> reply = CallOnce(client, "ListTables");
    ASSERT_TRUE(reply.ok()) << reply.error().message;
  }
  EXPECT_EQ(server.connections(), 3);
  EXPECT_EQ(client.attempts(), 3u);
}

asio::awaitable<void> CallInto(Client& client, Result<Reply>& result) {
  result = co_await client.Call("GetItem", {});
}

TEST(Client, ConcurrentWavesOfCallsReuseConnections) {
  ScriptedServer server({{200, "{}"}});
  Logger logger(LogLevel::kWarn);
  Client client(Options(server.endpoint()), logger);
  constexpr int kWaves = 5;
  constexpr int kPerWave = 10;
  asio::io_context io;
  std::vector<Result<Reply>> results(kWaves * kPerWave);
  for (int wave = 0; wave < kWaves; ++wave) {
    for (int i = 0; i < kPerWave; ++i) {
      asio::co_spawn(io, CallInto(client, results[wave * kPerWave + i]), asio::detached);
    }
    std::thread second_thread([&io] { io.run(); });
    io.run();
    second_thread.join();
    io.restart();
  }

  for (const Result<Reply>& result : results) ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(client.attempts(), static_cast<uint64_t>(kWaves * kPerWave));
  EXPECT_LE(server.connections(), kPerWave);
}

TEST(Client, IdleConnectionsAreCappedAtMaxIdle) {
  ScriptedServer server({{200, "{}"}});
  Logger logger(LogLevel::kWarn);
  ClientOptions options = Options(server.endpoint());
  options.max_idle_connections = 0;
  Client client(options, logger);

  std::vector<Result<Reply>> results = RunSync(CallInTurn(client, "ListTables", 3));

  for (const Result<Reply>& result : results) ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(server.connections(), 3);
}

// ---- Calls in flight and cancellation -----------------------------------------------------------

TEST(Client, CallsBeyondMaxInFlightWaitTheirTurn) {
  ScriptedServer server({{200, "{}"}});
  Logger logger(LogLevel::kWarn);
  ClientOptions options = Options(server.endpoint());
  options.max_in_flight = 1;
  Client client(options, logger);
  asio::io_context io;
  std::vector<Result<Reply>> results(8);
  for (Result<Reply>& result : results) {
    asio::co_spawn(io, CallInto(client, result), asio::detached);
  }
  std::thread second_thread([&io] { io.run(); });
  io.run();
  second_thread.join();

  for (const Result<Reply>& result : results) ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(server.connections(), 1) << "one call at a time, each on the connection left before";
  EXPECT_EQ(client.refused_as_busy(), 0u);
}

TEST(Client, CallFindingNoPlaceWithinQueueTimeoutIsRefusedAsBusy) {
  ScriptedServer server({Answer{.silent = true}});
  CapturedLog log;
  ClientOptions options = Options(server.endpoint());
  options.max_in_flight = 1;
  options.max_attempts = 1;
  options.attempt_timeout = std::chrono::milliseconds(1'000);
  options.queue_timeout = std::chrono::milliseconds(50);
  Client client(options, log.logger());
  asio::io_context io;
  Result<Reply> first;
  Result<Reply> second;
  asio::co_spawn(io, CallInto(client, first), asio::detached);
  asio::co_spawn(io, CallInto(client, second), asio::detached);
  io.run();

  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(second.error().message, "the database is busy, try again");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().message, "DynamoDB is unreachable") << "the silent server timed out";
  EXPECT_EQ(server.requests().size(), 1u) << "the refused call sent nothing";
  EXPECT_EQ(client.refused_as_busy(), 1u);
  EXPECT_NE(log.Text().find("busy, calls refused so far: 1"), std::string::npos) << log.Text();
}

TEST(Client, CancelledCallsEndAtOnceQuietlyAndFreeTheirPlace) {
  // The first request gets no answer; the one after it does.
  ScriptedServer server({Answer{.silent = true}, {200, "{}"}});
  CapturedLog log;
  ClientOptions options = Options(server.endpoint());
  options.max_in_flight = 1;
  options.attempt_timeout = std::chrono::seconds(30);
  options.queue_timeout = std::chrono::seconds(30);
  Client client(options, log.logger());
  asio::io_context io;
  asio::cancellation_signal cancel_sent;     // a call waiting for DynamoDB's answer
  asio::cancellation_signal cancel_waiting;  // a call waiting for a place
  Result<Reply> sent;
  Result<Reply> waiting;
  asio::co_spawn(io, CallInto(client, sent),
                 asio::bind_cancellation_slot(cancel_sent.slot(), asio::detached));
  asio::co_spawn(io, CallInto(client, waiting),
                 asio::bind_cancellation_slot(cancel_waiting.slot(), asio::detached));
  asio::steady_timer timer(io, std::chrono::milliseconds(100));
  timer.async_wait([&](boost::system::error_code) {
    cancel_waiting.emit(asio::cancellation_type::terminal);
    cancel_sent.emit(asio::cancellation_type::terminal);
  });
  const auto started = std::chrono::steady_clock::now();
  io.run();

  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  ASSERT_FALSE(waiting.ok());
  EXPECT_EQ(waiting.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(client.refused_as_busy(), 0u) << "cancelled, not refused";
  EXPECT_EQ(log.Text().find("WARN"), std::string::npos) << log.Text();
  EXPECT_EQ(log.Text().find("ERROR"), std::string::npos) << log.Text();

  // Neither kept the one place.
  Result<Reply> next = CallOnce(client, "GetItem");
  EXPECT_TRUE(next.ok()) << next.error().message;
}

// ---- What goes on the wire ---------------------------------------------------------------------

TEST(Client, SendsSignedJson10Request) {
  ScriptedServer server({{200, "{}"}});
  Logger logger(LogLevel::kWarn);
  Client client(Options(server.endpoint()), logger);
  const std::string date_before = AmzDate(std::chrono::system_clock::now()).substr(0, 8);

  Result<Reply> reply = CallOnce(client, "DescribeTable", Json(R"({"TableName":"t"})"));

  const std::string date_after = AmzDate(std::chrono::system_clock::now()).substr(0, 8);
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  std::vector<HttpRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const HttpRequest& request = requests[0];
  EXPECT_EQ(request.method(), bhttp::verb::post);
  EXPECT_EQ(request.target(), "/");
  EXPECT_EQ(request[bhttp::field::host], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(request[bhttp::field::content_type], "application/x-amz-json-1.0");
  EXPECT_EQ(request["X-Amz-Target"], "DynamoDB_20120810.DescribeTable");
  EXPECT_EQ(request[bhttp::field::user_agent], "track-tracker");
  EXPECT_EQ(request[bhttp::field::content_length], std::to_string(request.body().size()));
  EXPECT_EQ(json::parse(request.body()), json::parse(R"({"TableName":"t"})"));
  const std::string authorization(request[bhttp::field::authorization]);
  const std::string scope_tail = "/us-east-1/dynamodb/aws4_request";
  const std::string prefix = "AWS4-HMAC-SHA256 Credential=" + std::string(kAccessKey) + "/";
  EXPECT_TRUE(authorization.starts_with(prefix + date_before + scope_tail) ||
              authorization.starts_with(prefix + date_after + scope_tail))
      << authorization;
  EXPECT_NE(authorization.find("SignedHeaders="), std::string::npos);
  EXPECT_NE(authorization.find("x-amz-target"), std::string::npos) << "the operation is signed";
  EXPECT_NE(authorization.find("Signature="), std::string::npos);
  EXPECT_EQ(request["X-Amz-Date"].substr(0, 8), date_before.substr(0, 8));
}

TEST(Client, SessionTokenIsSent) {
  ScriptedServer server({{200, "{}"}});
  Logger logger(LogLevel::kWarn);
  ClientOptions options = Options(server.endpoint());
  options.settings.credentials.session_token = "the-session-token";
  Client client(options, logger);

  ASSERT_TRUE(CallOnce(client, "ListTables").ok());

  EXPECT_EQ(server.requests().at(0)["X-Amz-Security-Token"], "the-session-token");
}

TEST(Client, RejectsEndpointsThatAreNotHttpUrls) {
  Logger logger(LogLevel::kOff);
  for (const char* endpoint :
       {"", "localhost:8000", "ftp://localhost", "http://", "http://localhost:8000/prefix",
        "http://user:pw@localhost", "http://localhost?x=1"}) {
    EXPECT_THROW(Client(Options(endpoint), logger), std::invalid_argument) << endpoint;
  }
  EXPECT_NO_THROW(Client(Options("http://localhost:8000/"), logger));
  EXPECT_NO_THROW(Client(Options("https://dynamodb.eu-west-1.amazonaws.com"), logger));
  EXPECT_NO_THROW(Client(Options("http://[::1]:8000"), logger));
}

// ---- TLS ------------------------------------------------------------------------------------

TEST(ClientTls, UntrustedCertificateIsRefused) {
  Certificate certificate = MakeSelfSignedCertificate("DNS:localhost");
  ssl::context tls = ServerTlsContext(certificate);
  ScriptedServer server({{200, "{}"}}, &tls);
  CapturedLog log;
  Client client(Options("https://localhost:" + std::to_string(server.port())), log.logger());

  Result<Reply> reply = CallOnce(client, "ListTables");

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(client.attempts(), 1u) << "a rejected certificate is not retried";
  EXPECT_TRUE(server.requests().empty());
  EXPECT_NE(log.Text().find("certificate"), std::string::npos) << log.Text();
}

TEST(ClientTls, TrustedCertificateForTheHostIsAccepted) {
  Certificate certificate = MakeSelfSignedCertificate("DNS:localhost");
  ssl::context tls = ServerTlsContext(certificate);
  ScriptedServer server({{200, R"({"TableNames":["a"]})"}}, &tls);
  TempDir dir;
  Logger logger(LogLevel::kWarn);
  std::unique_ptr<Client> client = ClientTrusting(
      certificate, dir, Options("https://localhost:" + std::to_string(server.port())), logger);

  std::vector<Result<Reply>> results = RunSync(CallInTurn(*client, "ListTables", 3));

  for (const Result<Reply>& result : results) ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(results[0]->body.at("TableNames").at(0), "a");
  EXPECT_EQ(server.connections(), 1) << "TLS connections are kept alive too";
  EXPECT_EQ(server.requests().at(0)[bhttp::field::host],
            "localhost:" + std::to_string(server.port()));
}

TEST(ClientTls, TrustedCertificateForAnotherHostIsRefused) {
  Certificate certificate = MakeSelfSignedCertificate("DNS:localhost");
  ssl::context tls = ServerTlsContext(certificate);
  ScriptedServer server({{200, "{}"}}, &tls);
  TempDir dir;
  CapturedLog log;
  // 127.0.0.1 is where the server is, but the certificate only names "localhost".
  std::unique_ptr<Client> client =
      ClientTrusting(certificate, dir,
                     Options("https://127.0.0.1:" + std::to_string(server.port())), log.logger());

  Result<Reply> reply = CallOnce(*client, "ListTables");

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(client->attempts(), 1u);
  EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace tt::dynamodb
