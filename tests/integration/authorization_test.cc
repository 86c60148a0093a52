// The authorization matrix, generated from the router's route table: every route is called with
// no token, another user's, the owner's and an admin's, and each answer must follow the
// contract's rule for the route's Access (401 without a token where one is needed, 403 for a
// valid token acting on someone else's resource, success for the owner and, where allowed, an
// admin). A route added without a row here fails the test.
#include <boost/json/serialize.hpp>
#include <chrono>
#include <thread>

#include "api/routes.h"
#include "api_fixture.h"

namespace tt::testing {
namespace {

// The resources of one owner, made fresh whenever a call may have changed them.
struct World {
  Account owner;
  std::string competition_id;
  std::string event_id;
  std::string webhook_id;  // an admin's
};

class Authorization : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    followed_ = SignUp("followed");
    MakeAthlete(followed_);
    other_ = SignUp("other");
    admin_ = SignUp("admin");
    GrantAdmin(admin_);
    admin_.token = SignIn(admin_.username, admin_.password);
    // A delivery to redeliver: an endpoint's first (its attempts fail: the host is not reached).
    delivery_webhook_id_ = CreateWebhook();
    CreateCompetition(other_, "Delivered Meet", "2027-05-01", "2027-05-01");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (delivery_id_.empty() && std::chrono::steady_clock::now() < deadline) {
      HttpResponse page =
          client().Get("/webhooks/" + delivery_webhook_id_ + "/deliveries", admin_.token);
      const boost::json::value body = page.Json();
      if (page.status == 200 && !body.at("items").as_array().empty()) {
        delivery_id_ = Str(body.at("items").at(0).at("id"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_FALSE(delivery_id_.empty()) << "no delivery was made";
  }

  std::string CreateWebhook() {
    HttpResponse created = client().Post(
        "/webhooks",
        {{"url", "https://hooks.example.com/track"}, {"types", boost::json::array{"*"}}},
        admin_.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return Str(created.Json().at("id"));
  }

  void MakeAthlete(const Account& account) {
    ASSERT_EQ(client()
                  .Post("/athletes", {{"first_name", "Test"}, {"last_name", account.username}},
                        account.token)
                  .status,
              201);
  }

  World MakeWorld() {
    World world;
    world.owner = SignUp("owner");
    MakeAthlete(world.owner);
    world.competition_id =
        Str(CreateCompetition(world.owner, "Owned Meet", "2027-05-01", "2027-05-03").at("id"));
    HttpResponse event = client().Post("/athletes/" + world.owner.id + "/events",
                                       {{"competition_id", world.competition_id},
                                        {"name", "800m"},
                                        {"date_time", "2027-05-02T18:00:00+02:00"}},
                                       world.owner.token);
    EXPECT_EQ(event.status, 201) << event.body;
    world.event_id = Str(event.Json().at("id"));
    world.webhook_id = CreateWebhook();
    return world;
  }

  // The path of `path_template` in `world`.
  std::string PathFor(std::string_view path_template, const World& world) const {
    std::string path(path_template);
    auto replace = [&path](std::string_view name, const std::string& value) {
      size_t at = path.find(name);
      if (at != std::string::npos) path.replace(at, name.size(), value);
    };
    std::string id = world.owner.id;
    if (path_template.starts_with("/competitions/")) id = world.competition_id;
    if (path_template.starts_with("/events/")) id = world.event_id;
    if (path_template.starts_with("/webhooks/")) id = world.webhook_id;
    if (path_template.find("{delivery_id}") != std::string_view::npos) {
      id = delivery_webhook_id_;
      replace("{delivery_id}", delivery_id_);
    }
    replace("{id}", id);
    replace("{event_id}", world.event_id);
    replace("{athlete_id}", followed_.id);
    return path;
  }

  // A valid body for the route, so that an allowed caller succeeds.
  std::optional<std::string> BodyFor(std::string_view method, std::string_view path_template,
                                     const World& world) {
    using boost::json::object;
    std::string route = std::string(method) + " " + std::string(path_template);
    object body;
    if (route == "POST /users") {
      body = {{"username", UniqueName("new")}, {"password", "long enough password"}};
    } else if (route == "POST /sessions") {
      body = {{"username", world.owner.username}, {"password", world.owner.password}};
    } else if (route == "PATCH /users/{id}") {
      body = {{"display_name", "Changed"}};
    } else if (route == "POST /competitions") {
      body = CompetitionBody("New Meet", "2027-06-01", "2027-06-01");
    } else if (route == "PATCH /competitions/{id}") {
      body = {{"name", "Renamed"}};
    } else if (route == "POST /competitions/batch-get") {
      body = {{"ids", boost::json::array{boost::json::string(world.competition_id)}}};
    } else if (route == "POST /athletes") {
      body = {{"first_name", "New"}, {"last_name", "Athlete"}};
    } else if (route == "PATCH /athletes/{id}") {
      body = {{"team", "Changed"}};
    } else if (route == "POST /athletes/{id}/events") {
      body = {{"competition_id", world.competition_id},
              {"name", "1500m"},
              {"date_time", "2027-05-03T10:00:00Z"}};
    } else if (route == "PATCH /athletes/{id}/events/{event_id}") {
      body = {{"name", "800m final"}};
    } else if (route == "POST /webhooks") {
      body = {{"url", "https://hooks.example.com/new"}, {"types", boost::json::array{"*"}}};
    } else if (route == "PATCH /webhooks/{id}") {
      body = {{"description", "Changed"}};
    } else {
      return std::nullopt;  // the route takes no body
    }
    return boost::json::serialize(body);
  }

  int Call(const api::RouteSpec& route, const World& world, const std::string& token) {
    std::optional<std::string> body = BodyFor(route.method, route.path_template, world);
    return client()
        .Send(route.method, PathFor(route.path_template, world), token, body ? &*body : nullptr)
        .status;
  }

  // Signs in again any account whose token a call revoked (DELETE /sessions/current).
  void RefreshTokens() {
    for (Account* account : {&other_, &admin_}) {
      if (client().Get("/users/me", account->token).status == 401) {
        account->token = SignIn(account->username, account->password);
      }
    }
  }

  Account followed_;
  Account other_;
  Account admin_;
  std::string delivery_webhook_id_;
  std::string delivery_id_;
};

bool IsSuccess(int status) { return status >= 200 && status < 300; }

TEST_F(Authorization, EveryRouteFollowsTheContractsRuleForEveryKindOfCaller) {
  World world = MakeWorld();
  for (const api::RouteSpec& route : api::RouteTable()) {
    SCOPED_TRACE(std::string(route.method) + " " + route.path_template);
    const bool changes = std::string_view(route.method) != "GET";
    const int anonymous = Call(route, world, "");
    const int other = Call(route, world, other_.token);
    RefreshTokens();
    switch (route.access) {
      case api::Access::kPublic:
        EXPECT_NE(anonymous, 401);
        EXPECT_NE(anonymous, 403);
        EXPECT_NE(other, 401);
        EXPECT_NE(other, 403);
        break;
      case api::Access::kSignedIn:
        EXPECT_EQ(anonymous, 401);
        EXPECT_NE(other, 401);
        EXPECT_NE(other, 403);
        break;
      case api::Access::kAdmin: {
        EXPECT_EQ(anonymous, 401);
        EXPECT_EQ(other, 403);
        EXPECT_TRUE(IsSuccess(Call(route, world, admin_.token)));
        EXPECT_EQ(Call(route, world, world.owner.token), 403);
        break;
      }
      case api::Access::kOwnerOrAdmin:
      case api::Access::kSelf: {
        EXPECT_EQ(anonymous, 401);
        EXPECT_EQ(other, 403);
        const int by_admin = Call(route, world, admin_.token);
        RefreshTokens();
        if (route.access == api::Access::kSelf) {
          EXPECT_EQ(by_admin, 403) << "not even an admin acts as another user here";
        } else {
          EXPECT_TRUE(IsSuccess(by_admin)) << "admin got " << by_admin;
        }
        if (changes && IsSuccess(by_admin)) world = MakeWorld();
        const int by_owner = Call(route, world, world.owner.token);
        EXPECT_TRUE(IsSuccess(by_owner)) << "owner got " << by_owner;
        break;
      }
    }
    if (changes) world = MakeWorld();
  }
}

}  // namespace
}  // namespace tt::testing
