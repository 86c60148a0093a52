// Who competes at a meet and who follows an athlete, over real HTTP: the start list
// (GET /competitions/{id}/events) and the followers list (GET /athletes/{id}/followers), with
// their paging and their answers to bad input.
#include <set>
#include <string>
#include <vector>

#include "api_fixture.h"

namespace tt::testing {
namespace {

constexpr const char* kUnknownId = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

class StartLists : public ApiTest {
 protected:
  Account NewAthlete(std::string_view first, std::string_view last, std::string_view country) {
    Account account = SignUp("athlete");
    HttpResponse created = client().Post(
        "/athletes", {{"first_name", first}, {"last_name", last}, {"country", country}},
        account.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return account;
  }

  std::string AddEvent(const Account& athlete, const std::string& competition_id,
                       std::string_view name, std::string_view date_time) {
    HttpResponse created = client().Post(
        "/athletes/" + athlete.id + "/events",
        {{"competition_id", competition_id}, {"name", name}, {"date_time", date_time}},
        athlete.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.status == 201 ? Str(created.Json().at("id")) : "";
  }

  // Every page of `path` (which has a query already when `has_query`), following next_cursor.
  std::vector<boost::json::object> AllPages(const std::string& path, int limit) {
    std::vector<boost::json::object> all;
    std::string cursor;
    const char joiner = path.find('?') == std::string::npos ? '?' : '&';
    for (int pages = 0; pages < 50; ++pages) {
      std::string target = path + joiner + "limit=" + std::to_string(limit);
      if (!cursor.empty()) target += "&cursor=" + cursor;
      HttpResponse page = client().Get(target);
      EXPECT_EQ(page.status, 200) << target << ": " << page.body;
      if (page.status != 200) break;
      boost::json::value body = page.Json();
      for (const auto& item : body.at("items").as_array()) all.push_back(item.as_object());
      EXPECT_LE(body.at("items").as_array().size(), static_cast<size_t>(limit));
      if (body.at("next_cursor").is_null()) break;
      cursor = Str(body.at("next_cursor"));
    }
    return all;
  }

  static std::vector<std::string> IdsOf(const std::vector<boost::json::object>& items) {
    std::vector<std::string> ids;
    for (const auto& item : items) ids.push_back(Str(item.at("id")));
    return ids;
  }
};

TEST_F(StartLists, StartListIsInTimeOrderWithAthletesEmbeddedAndPages) {
  Account owner = SignUp("owner");
  const std::string meet =
      Str(CreateCompetition(owner, "Bislett", "2027-06-10", "2027-06-12").at("id"));
  const std::string other =
      Str(CreateCompetition(owner, "Elsewhere", "2027-06-10", "2027-06-12").at("id"));
  Account faith = NewAthlete("Faith", "Kipyegon", "KEN");
  Account jakob = NewAthlete("Jakob", "Ingebrigtsen", "NOR");
  const std::string late = AddEvent(faith, meet, "1500m final", "2027-06-11T21:00:00+02:00");
  const std::string early = AddEvent(jakob, meet, "5000m", "2027-06-10T12:00:00-03:00");
  const std::string middle = AddEvent(jakob, meet, "1500m heats", "2027-06-11T09:00:00Z");
  AddEvent(faith, other, "1500m", "2027-06-11T10:00:00Z");

  for (int limit : {1, 2, 10}) {
    EXPECT_EQ(IdsOf(AllPages("/competitions/" + meet + "/events", limit)),
              (std::vector<std::string>{early, middle, late}))
        << "limit " << limit;
  }
  const std::vector<boost::json::object> all = AllPages("/competitions/" + meet + "/events", 10);
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(Str(all[2].at("name")), "1500m final");
  EXPECT_EQ(Str(all[2].at("date_time")), "2027-06-11T21:00:00+02:00");
  EXPECT_EQ(Str(all[2].at("competition_id")), meet);
  EXPECT_EQ(Str(all[2].at("athlete_id")), faith.id);
  const boost::json::object& athlete = all[2].at("athlete").as_object();
  EXPECT_EQ(Str(athlete.at("id")), faith.id);
  EXPECT_EQ(Str(athlete.at("first_name")), "Faith");
  EXPECT_EQ(Str(athlete.at("last_name")), "Kipyegon");
  EXPECT_EQ(Str(athlete.at("country")), "KEN");
  EXPECT_TRUE(athlete.at("team").is_null());
  EXPECT_EQ(athlete.size(), 5U) << "a summary, not the whole profile";

  EXPECT_EQ(IdsOf(AllPages("/competitions/" + meet + "/events?discipline=1500M", 1)),
            (std::vector<std::string>{middle, late}));
  EXPECT_EQ(IdsOf(AllPages("/competitions/" + meet + "/events?discipline=", 10)).size(), 3U);
}

TEST_F(StartLists, StartListBadInputAnswersInTheContractsShape) {
  EXPECT_EQ(client().Get(std::string("/competitions/") + kUnknownId + "/events").status, 404);
  HttpResponse malformed = client().Get("/competitions/not-an-id/events");
  EXPECT_EQ(malformed.status, 404);
  EXPECT_EQ(ErrorCodeOf(malformed), "not_found");

  Account owner = SignUp("owner");
  const std::string meet =
      Str(CreateCompetition(owner, "Meet", "2027-06-10", "2027-06-12").at("id"));
  const std::string path = "/competitions/" + meet + "/events";
  HttpResponse long_discipline = client().Get(path + "?discipline=" + std::string(201, 'x'));
  EXPECT_EQ(long_discipline.status, 422) << long_discipline.body;
  EXPECT_TRUE(NamesField(long_discipline, "discipline"));
  EXPECT_EQ(client().Get(path + "?discipline=" + std::string(200, 'x')).status, 200);
  HttpResponse bad_limit = client().Get(path + "?limit=0");
  EXPECT_EQ(bad_limit.status, 422);
  EXPECT_TRUE(NamesField(bad_limit, "limit"));
  HttpResponse bad_cursor = client().Get(path + "?cursor=garbage");
  EXPECT_EQ(bad_cursor.status, 422);
  EXPECT_TRUE(NamesField(bad_cursor, "cursor"));
  HttpResponse empty = client().Get(path);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_TRUE(empty.Json().at("items").as_array().empty());
  EXPECT_TRUE(empty.Json().at("next_cursor").is_null());
}

TEST_F(StartLists, FollowersAreNewestFirstAndAddUpToFollowerCount) {
  Account athlete = NewAthlete("Faith", "Kipyegon", "KEN");
  std::vector<Account> fans;
  for (int i = 0; i < 5; ++i) {
    fans.push_back(SignUp("fan"));
    ASSERT_EQ(client()
                  .Put("/users/" + fans.back().id + "/following/" + athlete.id, fans.back().token)
                  .status,
              204);
  }
  const std::string path = "/athletes/" + athlete.id + "/followers";
  for (int limit : {1, 2, 10}) {
    EXPECT_EQ(
        IdsOf(AllPages(path, limit)),
        (std::vector<std::string>{fans[4].id, fans[3].id, fans[2].id, fans[1].id, fans[0].id}))
        << "limit " << limit;
  }
  const boost::json::object newest = AllPages(path, 1).front();
  EXPECT_EQ(Str(newest.at("username")), fans[4].username);
  EXPECT_EQ(Str(newest.at("display_name")), fans[4].username);
  EXPECT_TRUE(newest.contains("followed_at"));
  EXPECT_FALSE(newest.contains("email")) << "public profiles only";

  // A follower unfollows and another deletes their account: list and count agree.
  ASSERT_EQ(
      client().Delete("/users/" + fans[1].id + "/following/" + athlete.id, fans[1].token).status,
      204);
  ASSERT_EQ(client().Delete("/users/" + fans[3].id, fans[3].token).status, 204);
  const std::vector<std::string> left = IdsOf(AllPages(path, 2));
  EXPECT_EQ(left, (std::vector<std::string>{fans[4].id, fans[2].id, fans[0].id}));
  HttpResponse profile = client().Get("/athletes/" + athlete.id);
  ASSERT_EQ(profile.status, 200);
  EXPECT_EQ(profile.Json().at("follower_count").as_int64(), static_cast<int64_t>(left.size()));
}

TEST_F(StartLists, FollowersBadInputAnswersInTheContractsShape) {
  EXPECT_EQ(client().Get(std::string("/athletes/") + kUnknownId + "/followers").status, 404);
  EXPECT_EQ(client().Get("/athletes/nope/followers").status, 404);
  Account plain = SignUp("plain");
  EXPECT_EQ(client().Get("/athletes/" + plain.id + "/followers").status, 404)
      << "a user who is not an athlete";
  Account athlete = NewAthlete("Faith", "Kipyegon", "KEN");
  HttpResponse bad_cursor = client().Get("/athletes/" + athlete.id + "/followers?cursor=x");
  EXPECT_EQ(bad_cursor.status, 422);
  EXPECT_TRUE(NamesField(bad_cursor, "cursor"));
  HttpResponse bad_limit = client().Get("/athletes/" + athlete.id + "/followers?limit=abc");
  EXPECT_EQ(bad_limit.status, 422);
  EXPECT_TRUE(NamesField(bad_limit, "limit"));
}

}  // namespace
}  // namespace tt::testing
