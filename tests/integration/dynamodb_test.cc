// The server on DynamoDB (dynalite): stateless instances sharing one table, items any client can
// read, and outages that answer 503 and heal by themselves.
#include <boost/json/parse.hpp>
#include <thread>

#include "api_fixture.h"
#include "support/dynalite.h"
#include "support/fault_proxy.h"

namespace tt::testing {
namespace {

std::vector<std::string> DynamoDbArgs(const std::string& endpoint) {
  return {"--db", "dynamodb:" + endpoint, "--table-prefix", "shared_"};
}

class OnDynamoDb : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestBackend() == Backend::kDynamoDb) {
      GTEST_SKIP() << "these tests pick their own stores; they run in the first pass only";
    }
  }

  // Signs up and in on `client`.
  Account SignUp(const HttpClient& client, std::string username) {
    Account account{"", std::move(username), "correct horse battery", ""};
    HttpResponse created =
        client.Post("/users", {{"username", account.username}, {"password", account.password}});
    EXPECT_EQ(created.status, 201) << created.body;
    account.id = Str(created.Json().at("id"));
    HttpResponse session =
        client.Post("/sessions", {{"username", account.username}, {"password", account.password}});
    EXPECT_EQ(session.status, 201) << session.body;
    account.token = Str(session.Json().at("token"));
    return account;
  }

  boost::json::object Meet(std::string_view name) {
    return {{"name", name},
            {"location", "Stade de France"},
            {"start_date", "2027-08-01"},
            {"end_date", "2027-08-02"}};
  }

  TempDir dir_;
};

TEST_F(OnDynamoDb, TwoServersSharingOneTableSeeEachOthersWritesAndSessions) {
  Dynalite dynalite;
  ServerProcess first(dir_.path() / "a.db", {}, DynamoDbArgs(dynalite.endpoint()));
  ServerProcess second(dir_.path() / "b.db", {}, DynamoDbArgs(dynalite.endpoint()));
  HttpClient a(first.port());
  HttpClient b(second.port());

  Account user = SignUp(a, "shared_user");
  EXPECT_EQ(b.Get("/users/me", user.token).status, 200) << "a session made on one instance";
  HttpResponse created = b.Post("/competitions", Meet("Meeting de Paris"), user.token);
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = Str(created.Json().at("id"));
  EXPECT_EQ(Str(a.Get("/competitions/" + id).Json().at("name")), "Meeting de Paris");
  EXPECT_EQ(b.Post("/users", {{"username", "SHARED_USER"}, {"password", "another one"}}).status,
            409);
  EXPECT_EQ(a.Delete("/sessions/current", user.token).status, 204);
  EXPECT_EQ(b.Get("/users/me", user.token).status, 401) << "sign-out holds on every instance";
}

TEST_F(OnDynamoDb, WhatTheServerWritesIsReadBackByTheAwsSdkForJavaScript) {
  Dynalite dynalite;
  ServerProcess server(dir_.path() / "t.db", {}, DynamoDbArgs(dynalite.endpoint()));
  HttpClient client(server.port());
  Account user = SignUp(client, "sdk_reader");
  HttpResponse created = client.Post("/competitions", Meet("Memorial Van Damme"), user.token);
  ASSERT_EQ(created.status, 201);
  std::string id = Str(created.Json().at("id"));

  CommandResult read;
  {
    // RunServerCommand runs our binary; here node runs the SDK.
    std::string command = "node " TT_SOURCE_DIR "/tests/support/read_with_aws_sdk.js " +
                          dynalite.endpoint() + " shared_data competition#" + id +
                          " competition 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char buffer[4096];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) read.output.append(buffer, n);
    read.exit_status = pclose(pipe);
  }
  ASSERT_EQ(read.exit_status, 0) << read.output;
  // The SDK may print warnings first; the item is the last line.
  std::string line = read.output.substr(read.output.rfind('{', read.output.find("\"pk\"")));
  boost::json::value item = boost::json::parse(line.substr(0, line.rfind('}') + 1));
  EXPECT_EQ(Str(item.at("name").at("S")), "Memorial Van Damme");
  EXPECT_EQ(Str(item.at("start_date").at("S")), "2027-08-01");
  EXPECT_EQ(Str(item.at("id").at("S")), id);
}

TEST_F(OnDynamoDb, WhenDynamoDbGoesAwayTheApiAnswers503AndRecoversByItself) {
  Dynalite dynalite;
  FaultProxy proxy(dynalite.port());
  ServerProcess server(dir_.path() / "t.db", {}, DynamoDbArgs(proxy.endpoint()));
  HttpClient client(server.port());
  Account user = SignUp(client, "outage");
  HttpResponse created = client.Post("/competitions", Meet("Before the outage"), user.token);
  ASSERT_EQ(created.status, 201);
  std::string path = "/competitions/" + Str(created.Json().at("id"));

  proxy.set_mode(FaultProxy::Mode::kDrop);
  HttpResponse down = client.Get(path);
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(ErrorCodeOf(down), "unavailable");
  EXPECT_TRUE(down.HasHeader("retry-after"));
  EXPECT_EQ(down.body.find("dynamo"), std::string::npos) << "no internals in a 503: " << down.body;
  EXPECT_EQ(client.Get("/readyz").status, 503);
  EXPECT_EQ(client.Get("/healthz").status, 200) << "the process itself is fine";
  HttpResponse lost = client.Post("/competitions", Meet("During the outage"), user.token);
  EXPECT_EQ(lost.status, 503);

  proxy.set_mode(FaultProxy::Mode::kForward);
  EXPECT_EQ(client.Get("/readyz").status, 200);
  EXPECT_EQ(client.Get(path).status, 200);
  HttpResponse listed = client.Get("/competitions?q=outage");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.Json().at("items").as_array().size(), 1u) << "the 503'd write left nothing";
}

TEST_F(OnDynamoDb, ThrottlingAndServerErrorsAreRetriedUntilTheyPass) {
  Dynalite dynalite;
  FaultProxy proxy(dynalite.port());
  ServerProcess server(dir_.path() / "t.db", {}, DynamoDbArgs(proxy.endpoint()));
  HttpClient client(server.port());
  Account user = SignUp(client, "throttled");
  for (FaultProxy::Mode fault : {FaultProxy::Mode::kThrottle, FaultProxy::Mode::kServerError}) {
    const int before = proxy.requests();
    proxy.FailNext(fault, 2);
    HttpResponse created = client.Post("/competitions", Meet("Retried"), user.token);
    EXPECT_EQ(created.status, 201) << created.body;
    EXPECT_GE(proxy.requests() - before, 3) << "two faults, then the retry that passed";
  }
}

TEST_F(OnDynamoDb, SlowAnswersAreWaitedFor) {
  Dynalite dynalite;
  FaultProxy proxy(dynalite.port());
  ServerProcess server(dir_.path() / "t.db", {}, DynamoDbArgs(proxy.endpoint()));
  HttpClient client(server.port());
  Account user = SignUp(client, "patient");
  proxy.set_delay(std::chrono::milliseconds(200));
  EXPECT_EQ(client.Post("/competitions", Meet("Slow"), user.token).status, 201);
}

// A pass of change retention starts with the server; a SIGTERM while its request is still on the
// wire must wait for it (or cancel it) rather than tear the store down under it.
TEST_F(OnDynamoDb, SigtermWhileAStoreRequestIsInFlightExitsCleanly) {
  Dynalite dynalite;
  FaultProxy proxy(dynalite.port());
  proxy.set_delay(std::chrono::milliseconds(300));
  ServerProcess server(dir_.path() / "t.db", {}, DynamoDbArgs(proxy.endpoint()));
  EXPECT_EQ(server.Terminate(), 0) << server.Log();
  EXPECT_NE(server.Log().find("stopped"), std::string::npos) << server.Log();
}

}  // namespace
}  // namespace tt::testing
