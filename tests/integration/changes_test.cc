// GET /changes over real HTTP: who may read the change log, what a record holds, paging by
// `after` and `cursor`, and the answers to bad parameters.
#include <string>
#include <vector>

#include "api_fixture.h"

namespace tt::testing {
namespace {

class Changes : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    admin_ = SignUp("admin");
    GrantAdmin(admin_);
  }

  // Every change after `after`, following next_cursor through pages of `limit`.
  std::vector<boost::json::object> ChangesAfter(const std::string& after, int limit = 200) {
    std::vector<boost::json::object> changes;
    std::string target = "/changes?limit=" + std::to_string(limit) + "&after=" + after;
    for (int pages = 0; pages < 100; ++pages) {
      HttpResponse page = client().Get(target, admin_.token);
      EXPECT_EQ(page.status, 200) << page.body;
      if (page.status != 200) break;
      const boost::json::value body = page.Json();
      for (const auto& item : body.at("items").as_array()) changes.push_back(item.as_object());
      EXPECT_LE(body.at("items").as_array().size(), static_cast<size_t>(limit));
      if (body.at("next_cursor").is_null()) break;
      target = "/changes?limit=" + std::to_string(limit) + "&cursor=" + Str(body.at("next_cursor"));
    }
    return changes;
  }

  static std::vector<std::string> Types(const std::vector<boost::json::object>& changes) {
    std::vector<std::string> types;
    for (const auto& change : changes) types.push_back(Str(change.at("type")));
    return types;
  }

  Account admin_;
};

TEST_F(Changes, OnlyAdminsReadTheLog) {
  Account runner = SignUp("runner");
  EXPECT_EQ(client().Get("/changes").status, 401);
  HttpResponse refused = client().Get("/changes", runner.token);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(ErrorCodeOf(refused), "forbidden");
  EXPECT_EQ(client().Get("/changes", admin_.token).status, 200);
}

TEST_F(Changes, EachWriteShowsAsARecordWhoseDataIsTheResourceAsTheApiShowsIt) {
  Account owner = SignUp("owner");
  Account athlete = SignUp("athlete");
  Account fan = SignUp("fan");
  ASSERT_EQ(
      client()
          .Post("/athletes", {{"first_name", "Faith"}, {"last_name", "Kipyegon"}}, athlete.token)
          .status,
      201);
  const std::vector<boost::json::object> before = ChangesAfter("0");
  const std::string start = before.empty() ? "0" : Str(before.back().at("id"));

  const boost::json::object meet =
      CreateCompetition(owner, "Bislett Games", "2026-06-11", "2026-06-11");
  const std::string meet_id = Str(meet.at("id"));
  HttpResponse patched =
      client().Patch("/competitions/" + meet_id, {{"location", "Oslo"}}, owner.token);
  ASSERT_EQ(patched.status, 200) << patched.body;
  HttpResponse event = client().Post(
      "/athletes/" + athlete.id + "/events",
      {{"competition_id", meet_id}, {"name", "1500m"}, {"date_time", "2026-06-11T20:40:00+02:00"}},
      athlete.token);
  ASSERT_EQ(event.status, 201) << event.body;
  ASSERT_EQ(client().Put("/users/" + fan.id + "/following/" + athlete.id, fan.token).status, 204);
  ASSERT_EQ(client().Put("/users/" + fan.id + "/following/" + athlete.id, fan.token).status, 204);
  ASSERT_EQ(client().Delete("/competitions/" + meet_id, owner.token).status, 204);

  const std::vector<boost::json::object> changes = ChangesAfter(start, 2);
  EXPECT_EQ(Types(changes),
            (std::vector<std::string>{"competition.created", "competition.updated", "event.created",
                                      "follow.created", "competition.deleted"}));
  ASSERT_EQ(changes.size(), 5U);
  EXPECT_EQ(changes[0].at("data").as_object(), meet);
  EXPECT_EQ(changes[1].at("data").as_object(), patched.Json().as_object());
  EXPECT_EQ(changes[2].at("data").as_object(), event.Json().as_object());
  EXPECT_EQ(Str(changes[3].at("data").at("user_id")), fan.id);
  EXPECT_EQ(Str(changes[3].at("data").at("athlete_id")), athlete.id);
  EXPECT_EQ(changes[4].at("data").as_object(), (boost::json::object{{"id", meet_id}}));
  for (const auto& change : changes) {
    EXPECT_TRUE(change.at("occurred_at").is_string());
    EXPECT_GT(std::stoll(Str(change.at("id"))), std::stoll(start));
  }
  EXPECT_TRUE(ChangesAfter(Str(changes.back().at("id"))).empty()) << "caught up";
}

TEST_F(Changes, BadParametersAre422NamingThem) {
  for (const char* target : {"/changes?after=abc", "/changes?after=-1", "/changes?cursor=1.5",
                             "/changes?after=99999999999999999999", "/changes?limit=0"}) {
    SCOPED_TRACE(target);
    HttpResponse response = client().Get(target, admin_.token);
    EXPECT_EQ(response.status, 422) << response.body;
    EXPECT_EQ(ErrorCodeOf(response), "validation_failed");
  }
  EXPECT_TRUE(NamesField(client().Get("/changes?after=x", admin_.token), "after"));
  EXPECT_TRUE(NamesField(client().Get("/changes?cursor=x", admin_.token), "cursor"));
}

}  // namespace
}  // namespace tt::testing
