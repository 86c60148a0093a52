// Webhooks over real HTTP, on both backends: endpoints managed by admins, and deliveries checked
// by a receiver in Python that verifies every signature with its own hmac (webhook_receiver.h):
// retries after errors, 410, a receiver that never answers or is down for a while, rotation,
// redelivery, kill -9 of the server under load, and two servers on one DynamoDB table.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.h"
#include "competition_writers.h"
#include "support/dynalite.h"
#include "webhook_receiver.h"

namespace tt::testing {
namespace {

using namespace std::chrono_literals;

// The server's flags in these tests: loopback receivers over plain http, and a short timeout so
// that a receiver that never answers costs seconds (the lease on a delivery is 2 x 2 + 15 s).
const std::vector<std::string> kWebhookFlags = {"--webhook-allow-private", "--webhook-timeout",
                                                "2"};

// Whether `received` holds a delivery of `type` whose data has `id`, signed with secret 0.
bool HasSignedDelivery(const std::vector<ReceivedWebhook>& received, std::string_view type,
                       std::string_view id) {
  return std::any_of(received.begin(), received.end(), [&](const ReceivedWebhook& webhook) {
    const auto* data = webhook.body.if_contains("data");
    return webhook.body.contains("type") && Str(webhook.body.at("type")) == type &&
           data != nullptr && data->is_object() && data->as_object().contains("id") &&
           Str(data->at("id")) == id && webhook.valid_for == std::vector<int>{0};
  });
}

class Webhooks : public ApiTest {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path() / "track.db", kWebhookFlags);
    client_ = std::make_unique<HttpClient>(server_->port());
    admin_ = SignUp("admin");
    GrantAdmin(admin_);
    owner_ = SignUp("owner");
  }

  // Creates an endpoint for `types` at `url`; returns its JSON (with its secret).
  boost::json::object CreateEndpoint(const std::string& url,
                                     std::vector<std::string> types = {"*"}) {
    boost::json::array type_list;
    for (const std::string& type : types) type_list.emplace_back(type);
    HttpResponse created =
        client().Post("/webhooks", {{"url", url}, {"types", type_list}}, admin_.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.Json().as_object();
  }

  // The endpoint's deliveries, newest first (one page).
  std::vector<boost::json::object> Deliveries(const std::string& endpoint_id) {
    HttpResponse page = client().Get("/webhooks/" + endpoint_id + "/deliveries", admin_.token);
    EXPECT_EQ(page.status, 200) << page.body;
    std::vector<boost::json::object> deliveries;
    const boost::json::value body = page.Json();
    for (const auto& item : body.at("items").as_array()) {
      deliveries.push_back(item.as_object());
    }
    return deliveries;
  }

  // The endpoint's deliveries once `done` holds for them, or as they are after `timeout`.
  template <typename Done>
  std::vector<boost::json::object> WaitForDeliveries(const std::string& endpoint_id, Done done,
                                                     std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      std::vector<boost::json::object> deliveries = Deliveries(endpoint_id);
      if (done(deliveries) || std::chrono::steady_clock::now() > deadline) return deliveries;
      std::this_thread::sleep_for(100ms);
    }
  }

  std::string NewCompetition(std::string_view name) {
    return Str(CreateCompetition(owner_, name, "2027-06-11", "2027-06-12").at("id"));
  }

  Account admin_;
  Account owner_;
};

TEST_F(Webhooks, OnlyAdminsManageEndpointsAndTheSecretIsShownOnce) {
  WebhookReceiver receiver(dir_.path() / "receiver");
  const boost::json::object body = {{"url", receiver.Url()},
                                    {"types", boost::json::array{"competition.created"}}};
  EXPECT_EQ(client().Post("/webhooks", body).status, 401);
  HttpResponse refused = client().Post("/webhooks", body, owner_.token);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(ErrorCodeOf(refused), "forbidden");
  EXPECT_EQ(client().Get("/webhooks", owner_.token).status, 403);

  HttpResponse created = client().Post("/webhooks", body, admin_.token);
  ASSERT_EQ(created.status, 201) << created.body;
  const boost::json::object endpoint = created.Json().as_object();
  const std::string id = Str(endpoint.at("id"));
  EXPECT_TRUE(Str(endpoint.at("secret")).starts_with("whsec_"));
  EXPECT_EQ(Str(endpoint.at("url")), receiver.Url());
  EXPECT_FALSE(endpoint.at("disabled").as_bool());
  EXPECT_EQ(created.Header("location"), "/webhooks/" + id);

  HttpResponse read = client().Get("/webhooks/" + id, admin_.token);
  ASSERT_EQ(read.status, 200);
  EXPECT_FALSE(read.Json().as_object().contains("secret")) << "shown once, at creation";
  EXPECT_EQ(read.Header("etag"), "\"1\"");
  EXPECT_EQ(client().Get("/webhooks/" + id, owner_.token).status, 403);

  HttpResponse list = client().Get("/webhooks", admin_.token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.Json().at("items").as_array().size(), 1u);
  EXPECT_FALSE(list.Json().at("items").at(0).as_object().contains("secret"));

  HttpResponse patched = client().Patch(
      "/webhooks/" + id,
      {{"types", boost::json::array{"event.created", "event.deleted"}}, {"description", "app"}},
      admin_.token);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json().at("types").as_array().size(), 2u);
  EXPECT_EQ(Str(patched.Json().at("description")), "app");
  EXPECT_EQ(patched.Json().at("version").as_int64(), 2);

  HttpResponse bad_cursor =
      client().Get("/webhooks/" + id + "/deliveries?cursor=later", admin_.token);
  EXPECT_EQ(bad_cursor.status, 422);
  EXPECT_TRUE(NamesField(bad_cursor, "cursor")) << bad_cursor.body;
  EXPECT_EQ(client()
                .Get("/webhooks/00000000-0000-4000-8000-000000000000/deliveries", admin_.token)
                .status,
            404);

  EXPECT_EQ(client().Delete("/webhooks/" + id, owner_.token).status, 403);
  EXPECT_EQ(client().Delete("/webhooks/" + id, admin_.token).status, 204);
  EXPECT_EQ(client().Get("/webhooks/" + id, admin_.token).status, 404);
  EXPECT_EQ(client().Get("/webhooks/not-an-id", admin_.token).status, 404);
}

TEST_F(Webhooks, BadEndpointsAreRefusedWithTheFieldNamed) {
  const auto create = [&](boost::json::object body) {
    return client().Post("/webhooks", body, admin_.token);
  };
  HttpResponse no_types = create({{"url", "https://hooks.example.com/"}});
  EXPECT_EQ(no_types.status, 422);
  EXPECT_TRUE(NamesField(no_types, "types")) << no_types.body;
  HttpResponse bad_type =
      create({{"url", "https://hooks.example.com/"}, {"types", boost::json::array{"meet.moved"}}});
  EXPECT_EQ(bad_type.status, 422);
  EXPECT_TRUE(NamesField(bad_type, "types")) << bad_type.body;
  HttpResponse bad_url =
      create({{"url", "ftp://hooks.example.com/"}, {"types", boost::json::array{"*"}}});
  EXPECT_EQ(bad_url.status, 422);
  EXPECT_TRUE(NamesField(bad_url, "url")) << bad_url.body;
  HttpResponse wrong_json =
      create({{"url", 7}, {"types", boost::json::array{"*"}}, {"disabled", "no"}});
  EXPECT_EQ(wrong_json.status, 422);
  EXPECT_TRUE(NamesField(wrong_json, "url") && NamesField(wrong_json, "disabled"))
      << wrong_json.body;
  EXPECT_EQ(client().Get("/webhooks", admin_.token).Json().at("items").as_array().size(), 0u)
      << "nothing was created";
}

// Without --webhook-allow-private, only https to public hosts.
TEST_F(ApiTest, WebhookUrlsMustBeHttpsToPublicHostsByDefault) {
  Account admin = SignUp("admin");
  GrantAdmin(admin);
  for (const char* url : {"http://hooks.example.com/", "https://127.0.0.1/", "https://10.1.2.3/",
                          "https://localhost/x", "https://[::1]/", "https://169.254.169.254/"}) {
    HttpResponse refused =
        client().Post("/webhooks", {{"url", url}, {"types", boost::json::array{"*"}}}, admin.token);
    EXPECT_EQ(refused.status, 422) << url;
    EXPECT_TRUE(NamesField(refused, "url")) << url << ": " << refused.body;
  }
  EXPECT_EQ(client()
                .Post("/webhooks",
                      {{"url", "https://hooks.example.com/"}, {"types", boost::json::array{"*"}}},
                      admin.token)
                .status,
            201);
}

TEST_F(Webhooks, AChangeIsDeliveredSignedAndRetriedWithTheSameIdAfterAnError) {
  WebhookReceiver receiver(dir_.path() / "receiver");
  const boost::json::object endpoint = CreateEndpoint(receiver.Url(), {"competition.created"});
  receiver.Configure({Str(endpoint.at("secret"))}, 200, {500});
  const std::string meet = NewCompetition("Bislett Games");

  const std::vector<ReceivedWebhook> received = receiver.WaitFor(
      [](const std::vector<ReceivedWebhook>& got) { return got.size() >= 2; }, 30s);
  ASSERT_GE(received.size(), 2u);
  EXPECT_EQ(received[0].answered, 500);
  EXPECT_EQ(received[1].answered, 200);
  EXPECT_EQ(received[0].id, received[1].id) << "one webhook-id for every attempt";
  EXPECT_TRUE(received[0].id.starts_with("msg_"));
  for (const ReceivedWebhook& webhook : received) {
    EXPECT_EQ(webhook.valid_for, std::vector<int>{0}) << webhook.signature;
    EXPECT_EQ(Str(webhook.body.at("type")), "competition.created");
    EXPECT_EQ(Str(webhook.body.at("data").at("id")), meet);
    EXPECT_EQ(Str(webhook.body.at("data").at("name")), "Bislett Games");
    EXPECT_TRUE(webhook.body.contains("timestamp"));
  }

  const std::string id = Str(endpoint.at("id"));
  std::vector<boost::json::object> deliveries = WaitForDeliveries(
      id,
      [](const auto& list) { return !list.empty() && Str(list[0].at("status")) == "succeeded"; },
      10s);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(Str(deliveries[0].at("status")), "succeeded");
  EXPECT_EQ(deliveries[0].at("attempts").as_int64(), 2);
  EXPECT_EQ(deliveries[0].at("last_response_code").as_int64(), 200);
  EXPECT_EQ(Str(deliveries[0].at("webhook_id")), received[0].id);
  EXPECT_TRUE(deliveries[0].at("next_attempt_at").is_null());

  // Not subscribed: a change of another type is not delivered.
  ASSERT_EQ(client().Patch("/competitions/" + meet, {{"location", "Oslo"}}, owner_.token).status,
            200);
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(Deliveries(id).size(), 1u);
}

TEST_F(Webhooks, AReceiverAnsweringGoneIsDisabledUntilAnAdminEnablesItAgain) {
  WebhookReceiver receiver(dir_.path() / "receiver");
  const boost::json::object endpoint = CreateEndpoint(receiver.Url());
  const std::string id = Str(endpoint.at("id"));
  receiver.Configure({Str(endpoint.at("secret"))}, 410);
  NewCompetition("Gone Games");
  receiver.WaitFor([](const auto& got) { return !got.empty(); }, 30s);
  std::vector<boost::json::object> deliveries = WaitForDeliveries(
      id, [](const auto& list) { return !list.empty() && Str(list[0].at("status")) == "failed"; },
      10s);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(Str(deliveries[0].at("status")), "failed");
  EXPECT_EQ(deliveries[0].at("last_response_code").as_int64(), 410);
  HttpResponse disabled = client().Get("/webhooks/" + id, admin_.token);
  EXPECT_TRUE(disabled.Json().at("disabled").as_bool()) << disabled.body;

  // Disabled: what happens meanwhile is not sent.
  NewCompetition("Unheard Games");
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(receiver.Received().size(), 1u);

  receiver.Configure({Str(endpoint.at("secret"))}, 200);
  ASSERT_EQ(client().Patch("/webhooks/" + id, {{"disabled", false}}, admin_.token).status, 200);
  const std::string heard = NewCompetition("Heard Games");
  const auto received = receiver.WaitFor(
      [&](const auto& got) { return HasSignedDelivery(got, "competition.created", heard); }, 30s);
  EXPECT_TRUE(HasSignedDelivery(received, "competition.created", heard));
}

TEST_F(Webhooks, AReceiverThatNeverAnswersTimesOutIsRetriedAndDoesNotSlowTheApi) {
  WebhookReceiver receiver(dir_.path() / "receiver");
  const boost::json::object endpoint = CreateEndpoint(receiver.Url());
  const std::string id = Str(endpoint.at("id"));
  receiver.Configure({Str(endpoint.at("secret"))}, 200, {}, 30s);
  NewCompetition("Silent Games");
  receiver.WaitFor([](const auto& got) { return !got.empty(); }, 30s);
  // While the attempt hangs, the API answers as usual.
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(client().Get("/competitions?limit=5").status, 200);
  }
  NewCompetition("Busy Games");
  std::vector<boost::json::object> deliveries = WaitForDeliveries(
      id,
      [](const auto& list) {
        return std::any_of(list.begin(), list.end(), [](const auto& delivery) {
          return delivery.at("attempts").as_int64() >= 1;
        });
      },
      20s);
  const auto attempted =
      std::find_if(deliveries.begin(), deliveries.end(),
                   [](const auto& delivery) { return delivery.at("attempts").as_int64() >= 1; });
  ASSERT_NE(attempted, deliveries.end());
  EXPECT_EQ(Str(attempted->at("status")), "pending") << "retried later";
  EXPECT_TRUE(attempted->at("last_response_code").is_null());
  EXPECT_NE(Str(attempted->at("last_error")).find("timed out"), std::string::npos)
      << Str(attempted->at("last_error"));
  EXPECT_FALSE(attempted->at("next_attempt_at").is_null());
}

TEST_F(Webhooks, EverythingSentWhileTheReceiverWasDownArrivesOnceItIsUp) {
  WebhookReceiver receiver(dir_.path() / "receiver");
  const boost::json::object endpoint = CreateEndpoint(receiver.Url());
  receiver.Configure({Str(endpoint.at("secret"))});
  receiver.Stop();
  std::vector<std::string> meets;
  for (int i = 0; i < 3; ++i) meets.push_back(NewCompetition("Outage Games " + std::to_string(i)));
  const std::string id = Str(endpoint.at("id"));
  std::vector<boost::json::object> refused = WaitForDeliveries(
      id,
      [](const auto& list) {
        return list.size() == 3 && std::all_of(list.begin(), list.end(), [](const auto& delivery) {
                 return delivery.at("attempts").as_int64() >= 1;
               });
      },
      20s);
  ASSERT_EQ(refused.size(), 3u);
  for (const auto& delivery : refused) {
    EXPECT_EQ(Str(delivery.at("status")), "pending");
    EXPECT_FALSE(delivery.at("last_error").is_null());
  }

  receiver.Start();
  const auto received = receiver.WaitFor(
      [&](const auto& got) {
        return std::all_of(meets.begin(), meets.end(), [&](const std::string& meet) {
          return HasSignedDelivery(got, "competition.created", meet);
        });
      },
      60s);
  for (const std::string& meet : meets) {
    EXPECT_TRUE(HasSignedDelivery(received, "competition.created", meet)) << meet;
  }
}

TEST_F(Webhooks, DuringARotationBothSecretsSignAndRedeliveryKeepsTheWebhookId) {
  WebhookReceiver receiver(dir_.path() / "receiver");
  const boost::json::object endpoint = CreateEndpoint(receiver.Url());
  const std::string id = Str(endpoint.at("id"));
  HttpResponse rotated = client().Post("/webhooks/" + id + "/rotate-secret", {}, admin_.token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string new_secret = Str(rotated.Json().at("secret"));
  EXPECT_NE(new_secret, Str(endpoint.at("secret")));
  EXPECT_EQ(rotated.Json().at("version").as_int64(), 2);
  receiver.Configure({Str(endpoint.at("secret")), new_secret});
  NewCompetition("Rotation Games");
  auto received = receiver.WaitFor([](const auto& got) { return !got.empty(); }, 30s);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].valid_for, (std::vector<int>{0, 1})) << received[0].signature;
  EXPECT_NE(received[0].signature.find(' '), std::string::npos) << "two signatures";

  const std::string delivery = Str(Deliveries(id).at(0).at("id"));
  HttpResponse again =
      client().Post("/webhooks/" + id + "/deliveries/" + delivery + "/redeliver", {}, admin_.token);
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(Str(again.Json().at("status")), "pending");
  received = receiver.WaitFor([](const auto& got) { return got.size() >= 2; }, 30s);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[1].id, received[0].id);
  EXPECT_EQ(received[1].valid_for, (std::vector<int>{0, 1}));
  EXPECT_EQ(
      client().Post("/webhooks/" + id + "/deliveries/999999/redeliver", {}, admin_.token).status,
      404);
}

// kill -9 at any moment loses no acknowledged change: every acknowledged write's change arrives
// at least once, with a valid signature, after rounds of kills under load.
TEST_F(Webhooks, EveryAcknowledgedWriteIsDeliveredAfterKillNineMidLoad) {
  WebhookReceiver receiver(dir_.path() / "receiver");
  const boost::json::object endpoint = CreateEndpoint(receiver.Url(), {"competition.created"});
  receiver.Configure({Str(endpoint.at("secret"))}, 200, {}, 20ms);
  std::vector<std::string> acknowledged;
  for (int round = 0; round < 3; ++round) {
    // A steady load rather than a flood: what is acknowledged must be delivered (4 at a time)
    // before the test's deadline.
    CompetitionWriters writers(server().port(), owner_.token, 3, "Kill " + std::to_string(round),
                               50ms);
    // Kill once this server's deliveries are under way.
    const size_t received_before = receiver.Received().size();
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline &&
           (writers.AcknowledgedCount() < 15 || receiver.Received().size() < received_before + 5)) {
      std::this_thread::sleep_for(5ms);
    }
    server().Kill();
    for (std::string& id : writers.Stop()) acknowledged.push_back(std::move(id));
    server().Restart();
    client_ = std::make_unique<HttpClient>(server().port());
  }
  ASSERT_GE(acknowledged.size(), 45u);
  // Claims of a killed server wait for their lease (19 s here); on DynamoDB a killed writer's
  // hole in the change log waits 10 s.
  const auto received = receiver.WaitFor(
      [&](const auto& got) {
        return std::all_of(acknowledged.begin(), acknowledged.end(), [&](const std::string& meet) {
          return HasSignedDelivery(got, "competition.created", meet);
        });
      },
      120s);
  for (const std::string& meet : acknowledged) {
    EXPECT_TRUE(HasSignedDelivery(received, "competition.created", meet))
        << "the change of acknowledged write " << meet << " never arrived";
  }
  for (const ReceivedWebhook& webhook : received) {
    EXPECT_EQ(webhook.valid_for, std::vector<int>{0}) << webhook.id;
  }
}

// Two servers on one DynamoDB table share the work under leases: every change arrives, and no
// delivery is sent twice while its lease holds (a receiver answering at once never sees one
// twice).
TEST(WebhooksOnSharedDynamoDb, TwoServersOnOneTableSendEachDeliveryOnce) {
  if (TestBackend() != Backend::kDynamoDb) GTEST_SKIP() << "instances share a DynamoDB table";
  TempDir dir;
  Dynalite dynalite;
  const std::vector<std::string> db_args = {"--db", "dynamodb:" + dynalite.endpoint(),
                                            "--table-prefix", "tt_shared_"};
  // One key file for both, as the documentation asks of instances sharing a table.
  ServerProcess first(dir.path() / "track.db", kWebhookFlags, db_args);
  ServerProcess second(dir.path() / "track.db", kWebhookFlags, db_args);
  HttpClient first_client(first.port());
  HttpClient second_client(second.port());

  // An admin, granted through the command line with both servers running.
  const auto sign_up = [&](HttpClient& client, const std::string& name) {
    EXPECT_EQ(
        client.Post("/users", {{"username", name}, {"password", "correct horse battery"}}).status,
        201);
  };
  sign_up(first_client, "shared-admin");
  sign_up(second_client, "shared-owner");
  std::vector<std::string> grant = {"admin", "grant", "shared-admin"};
  grant.insert(grant.end(), db_args.begin(), db_args.end());
  ASSERT_EQ(RunServerCommand(grant).exit_status, 0);
  const auto sign_in = [](HttpClient& client, const std::string& name) {
    HttpResponse session =
        client.Post("/sessions", {{"username", name}, {"password", "correct horse battery"}});
    EXPECT_EQ(session.status, 201) << session.body;
    return Str(session.Json().at("token"));
  };
  const std::string admin = sign_in(first_client, "shared-admin");
  const std::string owner = sign_in(second_client, "shared-owner");

  WebhookReceiver receiver(dir.path() / "receiver");
  HttpResponse created = second_client.Post(
      "/webhooks", {{"url", receiver.Url()}, {"types", boost::json::array{"competition.created"}}},
      admin);
  ASSERT_EQ(created.status, 201) << created.body;
  receiver.Configure({Str(created.Json().at("secret"))}, 200, {}, 100ms);

  std::vector<std::string> meets;
  for (int i = 0; i < 30; ++i) {
    HttpClient& client = i % 2 == 0 ? first_client : second_client;
    HttpResponse meet = client.Post("/competitions",
                                    {{"name", "Shared " + std::to_string(i)},
                                     {"location", "Eugene"},
                                     {"start_date", "2027-07-01"},
                                     {"end_date", "2027-07-02"}},
                                    owner);
    ASSERT_EQ(meet.status, 201) << meet.body;
    meets.push_back(Str(meet.Json().at("id")));
  }
  const auto received = receiver.WaitFor(
      [&](const auto& got) {
        return std::all_of(meets.begin(), meets.end(), [&](const std::string& meet) {
          return HasSignedDelivery(got, "competition.created", meet);
        });
      },
      90s);
  std::map<std::string, int> times_sent;
  for (const ReceivedWebhook& webhook : received) ++times_sent[webhook.id];
  EXPECT_EQ(times_sent.size(), meets.size());
  for (const auto& [id, times] : times_sent) EXPECT_EQ(times, 1) << id;
  for (const std::string& meet : meets) {
    EXPECT_TRUE(HasSignedDelivery(received, "competition.created", meet)) << meet;
  }
}

}  // namespace
}  // namespace tt::testing
