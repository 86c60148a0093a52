// Athletes over real HTTP, as ../shared/API.md specifies them: a user's athlete profile (same id
// as the user), its validation, the list by name, and what deleting a profile takes with it.
#include <set>
#include <string>
#include <vector>

#include "api_fixture.h"

namespace tt::testing {
namespace {

constexpr const char* kUnknownId = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

// The items of a list page, copied out of the parsed body.
boost::json::array Items(const HttpResponse& response) {
  boost::json::value body = response.Json();
  return body.at("items").as_array();
}

class Athletes : public ApiTest {
 protected:
  // Makes `account` an athlete named `first` `last` (plus `extra` fields); returns its JSON.
  boost::json::object BecomeAthlete(const Account& account, std::string_view first,
                                    std::string_view last, boost::json::object extra = {}) {
    extra["first_name"] = first;
    extra["last_name"] = last;
    HttpResponse created = client().Post("/athletes", extra, account.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.Json().as_object();
  }

  // The POST /athletes answer for a fresh user sending `body`.
  HttpResponse PostAthleteAsNewUser(const boost::json::object& body) {
    Account account = SignUp("athlete");
    return client().Post("/athletes", body, account.token);
  }

  // "Last, First" of every item of the athlete list at `target`, walking every page.
  std::vector<std::string> ListedNames(const std::string& target) {
    std::vector<std::string> names;
    std::string cursor;
    const std::string separator = target.find('?') == std::string::npos ? "?" : "&";
    for (int page = 0; page < 50; ++page) {
      HttpResponse response =
          client().Get(target + (cursor.empty() ? "" : separator + "cursor=" + cursor));
      EXPECT_EQ(response.status, 200) << response.body;
      if (response.status != 200) break;
      for (const auto& item : Items(response)) {
        names.push_back(Str(item.at("last_name")) + ", " + Str(item.at("first_name")));
      }
      if (response.Json().at("next_cursor").is_null()) break;
      cursor = Str(response.Json().at("next_cursor"));
    }
    return names;
  }
};

// Whether a 422 names `field` or one of its items (`disciplines` or `disciplines[3]`).
bool NamesFieldOrItem(const HttpResponse& response, std::string_view field) {
  boost::json::value body = response.Json();
  if (!body.is_object() || !body.as_object().contains("error")) return false;
  const boost::json::value* fields = body.at("error").as_object().if_contains("fields");
  if (fields == nullptr || !fields->is_object()) return false;
  for (const auto& [name, message] : fields->as_object()) {
    std::string_view key = name;
    if (key == field || (key.starts_with(field) && key.substr(field.size()).starts_with("["))) {
      return true;
    }
  }
  return false;
}

TEST_F(Athletes, BecomingAnAthleteAnswers201WithLocationETagAndTheUsersId) {
  Account account = SignUp();
  HttpResponse created = client().Post("/athletes",
                                       {{"first_name", "Faith"},
                                        {"last_name", "Kipyegon"},
                                        {"country", "KEN"},
                                        {"birthday", "1994-01-10"},
                                        {"disciplines", {"1500m", "5000m"}}},
                                       account.token);
  ASSERT_EQ(created.status, 201) << created.body;
  auto athlete = created.Json().as_object();
  EXPECT_EQ(Str(athlete.at("id")), account.id);
  EXPECT_EQ(created.Header("location"), "/athletes/" + account.id);
  EXPECT_EQ(created.Header("etag"), "\"1\"");
  EXPECT_EQ(Str(athlete.at("username")), account.username);
  EXPECT_EQ(Str(athlete.at("first_name")), "Faith");
  EXPECT_EQ(Str(athlete.at("last_name")), "Kipyegon");
  EXPECT_EQ(Str(athlete.at("country")), "KEN");
  EXPECT_EQ(Str(athlete.at("birthday")), "1994-01-10");
  EXPECT_TRUE(athlete.at("bio").is_null());
  EXPECT_TRUE(athlete.at("team").is_null());
  EXPECT_EQ(athlete.at("disciplines"), boost::json::value(boost::json::array{"1500m", "5000m"}));
  EXPECT_EQ(athlete.at("follower_count").as_int64(), 0);
  EXPECT_EQ(athlete.at("version").as_int64(), 1);
  EXPECT_TRUE(Str(athlete.at("created_at")).ends_with("Z"));
  EXPECT_TRUE(Str(athlete.at("updated_at")).ends_with("Z"));

  HttpResponse fetched = client().Get("/athletes/" + account.id);
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(fetched.Json(), created.Json());
  EXPECT_EQ(fetched.Header("etag"), "\"1\"");

  HttpResponse user = client().Get("/users/" + account.id);
  ASSERT_EQ(user.status, 200);
  EXPECT_TRUE(user.Json().at("is_athlete").as_bool());
}

TEST_F(Athletes, DisciplinesDefaultToAnEmptyList) {
  Account account = SignUp();
  auto athlete = BecomeAthlete(account, "Karsten", "Warholm");
  ASSERT_TRUE(athlete.contains("disciplines"));
  EXPECT_EQ(athlete.at("disciplines"), boost::json::value(boost::json::array{}));
  EXPECT_TRUE(athlete.at("country").is_null());
  EXPECT_TRUE(athlete.at("birthday").is_null());
}

TEST_F(Athletes, BecomingAnAthleteTwiceIs409AndNeedsAToken) {
  Account account = SignUp();
  BecomeAthlete(account, "Femke", "Bol");
  HttpResponse again =
      client().Post("/athletes", {{"first_name", "Other"}, {"last_name", "Name"}}, account.token);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(ErrorCodeOf(again), "conflict");
  EXPECT_EQ(Str(client().Get("/athletes/" + account.id).Json().at("first_name")), "Femke");

  HttpResponse anonymous = client().Post("/athletes", {{"first_name", "A"}, {"last_name", "B"}});
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(ErrorCodeOf(anonymous), "unauthenticated");
}

TEST_F(Athletes, MissingOrMistypedNamesAre422NamingEachField) {
  HttpResponse missing = PostAthleteAsNewUser(boost::json::object{});
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(ErrorCodeOf(missing), "validation_failed");
  EXPECT_TRUE(NamesField(missing, "first_name"));
  EXPECT_TRUE(NamesField(missing, "last_name"));

  HttpResponse only_first = PostAthleteAsNewUser({{"first_name", "Noah"}});
  EXPECT_EQ(only_first.status, 422);
  EXPECT_FALSE(NamesField(only_first, "first_name"));
  EXPECT_TRUE(NamesField(only_first, "last_name"));

  HttpResponse wrong_type = PostAthleteAsNewUser({{"first_name", 7}, {"last_name", "Lyles"}});
  EXPECT_EQ(wrong_type.status, 422);
  EXPECT_TRUE(NamesField(wrong_type, "first_name"));

  HttpResponse empty = PostAthleteAsNewUser({{"first_name", ""}, {"last_name", "Lyles"}});
  EXPECT_EQ(empty.status, 422);
  EXPECT_TRUE(NamesField(empty, "first_name"));
}

TEST_F(Athletes, CountryMustBeAnUppercaseIsoAlpha3Code) {
  HttpResponse unassigned =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"country", "XXX"}});
  EXPECT_EQ(unassigned.status, 422);
  EXPECT_TRUE(NamesField(unassigned, "country"));
  HttpResponse lowercase =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"country", "ken"}});
  EXPECT_EQ(lowercase.status, 422);
  EXPECT_TRUE(NamesField(lowercase, "country"));
  HttpResponse alpha2 =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"country", "KE"}});
  EXPECT_EQ(alpha2.status, 422);
  HttpResponse valid =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"country", "KEN"}});
  ASSERT_EQ(valid.status, 201) << valid.body;
  EXPECT_EQ(Str(valid.Json().at("country")), "KEN");
  HttpResponse null_country =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"country", nullptr}});
  EXPECT_EQ(null_country.status, 201) << null_country.body;
}

TEST_F(Athletes, DisciplinesMustBeAShortListOfShortStrings) {
  HttpResponse not_a_list =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"disciplines", "100m"}});
  EXPECT_EQ(not_a_list.status, 422);
  EXPECT_TRUE(NamesField(not_a_list, "disciplines"));

  HttpResponse not_strings =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"disciplines", {100, 200}}});
  EXPECT_EQ(not_strings.status, 422);
  EXPECT_TRUE(NamesFieldOrItem(not_strings, "disciplines"));

  boost::json::array too_many;
  for (int i = 0; i < 21; ++i) too_many.emplace_back(std::to_string(100 + i) + "m");
  HttpResponse many =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"disciplines", too_many}});
  EXPECT_EQ(many.status, 422);
  EXPECT_TRUE(NamesFieldOrItem(many, "disciplines"));

  HttpResponse too_long = PostAthleteAsNewUser(
      {{"first_name", "A"}, {"last_name", "B"}, {"disciplines", {"100m", std::string(51, 'x')}}});
  EXPECT_EQ(too_long.status, 422);
  EXPECT_TRUE(NamesFieldOrItem(too_long, "disciplines"));

  boost::json::array twenty;
  for (int i = 0; i < 20; ++i) twenty.emplace_back(std::string(49, 'a') + std::to_string(i % 10));
  HttpResponse at_limits =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"disciplines", twenty}});
  ASSERT_EQ(at_limits.status, 201) << at_limits.body;
  EXPECT_EQ(at_limits.Json().at("disciplines"), boost::json::value(twenty));
}

TEST_F(Athletes, BirthdayMustBeARealDate) {
  HttpResponse not_leap =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"birthday", "2023-02-29"}});
  EXPECT_EQ(not_leap.status, 422);
  EXPECT_TRUE(NamesField(not_leap, "birthday"));
  HttpResponse not_a_date =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"birthday", "10/01/1994"}});
  EXPECT_EQ(not_a_date.status, 422);
  EXPECT_TRUE(NamesField(not_a_date, "birthday"));
  HttpResponse leap =
      PostAthleteAsNewUser({{"first_name", "A"}, {"last_name", "B"}, {"birthday", "2024-02-29"}});
  ASSERT_EQ(leap.status, 201) << leap.body;
  EXPECT_EQ(Str(leap.Json().at("birthday")), "2024-02-29");
}

TEST_F(Athletes, UnknownMalformedAndNonAthleteIdsAre404) {
  HttpResponse unknown = client().Get(std::string("/athletes/") + kUnknownId);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCodeOf(unknown), "not_found");
  EXPECT_EQ(client().Get("/athletes/not-a-uuid").status, 404);
  Account plain_user = SignUp();
  EXPECT_EQ(client().Get("/athletes/" + plain_user.id).status, 404);
  EXPECT_FALSE(client().Get("/users/" + plain_user.id).Json().at("is_athlete").as_bool());
}

TEST_F(Athletes, TheListIsOrderedByLastNameThenFirstName) {
  BecomeAthlete(SignUp(), "Karsten", "Warholm");
  BecomeAthlete(SignUp(), "Femke", "Bol");
  BecomeAthlete(SignUp(), "Faith", "Kipyegon");
  BecomeAthlete(SignUp(), "Alfred", "Bol");
  HttpResponse list = client().Get("/athletes");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_TRUE(list.Json().at("next_cursor").is_null());
  const boost::json::array items = Items(list);
  ASSERT_EQ(items.size(), 4u);
  // Items are whole athletes.
  EXPECT_TRUE(items[0].as_object().contains("follower_count"));
  EXPECT_TRUE(items[0].as_object().contains("username"));
  EXPECT_EQ(ListedNames("/athletes"),
            (std::vector<std::string>{"Bol, Alfred", "Bol, Femke", "Kipyegon, Faith",
                                      "Warholm, Karsten"}));
}

TEST_F(Athletes, QMatchesAPrefixOfFirstOrLastNameCaseInsensitively) {
  BecomeAthlete(SignUp(), "Karsten", "Warholm");
  BecomeAthlete(SignUp(), "Femke", "Bol");
  BecomeAthlete(SignUp(), "Faith", "Kipyegon");
  BecomeAthlete(SignUp(), "Bob", "Kersee");
  EXPECT_EQ(ListedNames("/athletes?q=bo"), (std::vector<std::string>{"Bol, Femke", "Kersee, Bob"}));
  EXPECT_EQ(ListedNames("/athletes?q=FAI"), (std::vector<std::string>{"Kipyegon, Faith"}));
  EXPECT_EQ(ListedNames("/athletes?q=kArStEn"), (std::vector<std::string>{"Warholm, Karsten"}));
  EXPECT_EQ(ListedNames("/athletes?q=k"),
            (std::vector<std::string>{"Kersee, Bob", "Kipyegon, Faith", "Warholm, Karsten"}));
  // Not a substring in the middle of a name.
  EXPECT_TRUE(ListedNames("/athletes?q=holm").empty());
  EXPECT_TRUE(ListedNames("/athletes?q=yegon").empty());
  EXPECT_TRUE(ListedNames("/athletes?q=emk").empty());
  // An empty q filters nothing.
  EXPECT_EQ(ListedNames("/athletes?q=").size(), 4u);
}

TEST_F(Athletes, PagingWithLimitOneWalksEveryAthleteOnceInOrder) {
  std::set<std::string> created;
  for (const auto& [first, last] :
       std::vector<std::pair<std::string, std::string>>{{"Mondo", "Duplantis"},
                                                        {"Sydney", "McLaughlin"},
                                                        {"Jakob", "Ingebrigtsen"},
                                                        {"Beatrice", "Chebet"},
                                                        {"Shericka", "Jackson"},
                                                        {"Shericka", "Jackson"}}) {
    created.insert(Str(BecomeAthlete(SignUp(), first, last).at("id")));
  }
  std::vector<std::string> ids;
  std::string cursor;
  int pages = 0;
  for (; pages < 20; ++pages) {
    HttpResponse page =
        client().Get("/athletes?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200) << page.body;
    const boost::json::array items = Items(page);
    ASSERT_LE(items.size(), 1u);
    for (const auto& item : items) ids.push_back(Str(item.at("id")));
    if (page.Json().at("next_cursor").is_null()) break;
    cursor = Str(page.Json().at("next_cursor"));
  }
  EXPECT_GE(pages, 4);
  EXPECT_EQ(ids.size(), created.size());
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), created);
  EXPECT_EQ(
      ListedNames("/athletes?limit=1"),
      (std::vector<std::string>{"Chebet, Beatrice", "Duplantis, Mondo", "Ingebrigtsen, Jakob",
                                "Jackson, Shericka", "Jackson, Shericka", "McLaughlin, Sydney"}));
}

// Disabled: the server folds only ASCII letters (see the report on issue "Athletes, their
// calendars, following, and the feed"); names such as Émile or Ørsted are common in athletics.
TEST_F(Athletes, QFoldsTheCaseOfNonAsciiLettersToo) {
  BecomeAthlete(SignUp(), "\xC3\x89mile", "\xC3\x98rsted");  // Émile Ørsted
  EXPECT_EQ(ListedNames("/athletes?q=%C3%A9").size(), 1u);   // é
  EXPECT_EQ(ListedNames("/athletes?q=%C3%B8").size(), 1u);   // ø
  EXPECT_EQ(ListedNames("/athletes?q=%C3%89").size(), 1u);   // É
}

TEST_F(Athletes, BadListParametersAre422NamingThem) {
  HttpResponse cursor = client().Get("/athletes?cursor=garbage");
  EXPECT_EQ(cursor.status, 422);
  EXPECT_TRUE(NamesField(cursor, "cursor"));
  HttpResponse limit = client().Get("/athletes?limit=0");
  EXPECT_EQ(limit.status, 422);
  EXPECT_TRUE(NamesField(limit, "limit"));
  EXPECT_EQ(client().Get("/athletes?limit=201").status, 422);
  EXPECT_EQ(client().Get("/athletes?limit=200").status, 200);
}

TEST_F(Athletes, PatchBySelfChangesOnlyTheGivenFieldsAndBumpsTheVersion) {
  Account account = SignUp();
  BecomeAthlete(account, "Femke", "Bol", {{"country", "NLD"}, {"disciplines", {"400mH"}}});
  std::string path = "/athletes/" + account.id;
  HttpResponse patched = client().Patch(
      path, {{"team", "AV Hollandia"}, {"bio", "Hurdler"}, {"disciplines", {"400mH", "400m"}}},
      account.token);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Header("etag"), "\"2\"");
  auto athlete = patched.Json().as_object();
  EXPECT_EQ(athlete.at("version").as_int64(), 2);
  EXPECT_EQ(Str(athlete.at("team")), "AV Hollandia");
  EXPECT_EQ(Str(athlete.at("bio")), "Hurdler");
  EXPECT_EQ(Str(athlete.at("first_name")), "Femke");
  EXPECT_EQ(Str(athlete.at("country")), "NLD");
  EXPECT_EQ(athlete.at("disciplines"), boost::json::value(boost::json::array{"400mH", "400m"}));
  EXPECT_EQ(client().Get(path).Json(), patched.Json());

  HttpResponse cleared = client().Patch(path, {{"team", nullptr}}, account.token);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.Json().at("team").is_null());
  EXPECT_EQ(cleared.Json().at("version").as_int64(), 3);

  HttpResponse invalid = client().Patch(path, {{"country", "nld"}}, account.token);
  EXPECT_EQ(invalid.status, 422);
  EXPECT_TRUE(NamesField(invalid, "country"));
  HttpResponse empty_name = client().Patch(path, {{"last_name", ""}}, account.token);
  EXPECT_EQ(empty_name.status, 422);
  EXPECT_TRUE(NamesField(empty_name, "last_name"));
  EXPECT_EQ(client().Get(path).Json().at("version").as_int64(), 3);
}

TEST_F(Athletes, OnlyTheAthleteOrAnAdminMayChangeOrDeleteIt) {
  Account athlete = SignUp();
  Account other = SignUp();
  BecomeAthlete(athlete, "Noah", "Lyles");
  std::string path = "/athletes/" + athlete.id;
  HttpResponse forbidden = client().Patch(path, {{"first_name", "Hacked"}}, other.token);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(ErrorCodeOf(forbidden), "forbidden");
  EXPECT_EQ(client().Delete(path, other.token).status, 403);
  HttpResponse anonymous = client().Patch(path, {{"first_name", "Hacked"}});
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(client().Delete(path).status, 401);
  EXPECT_EQ(
      client().Patch(std::string("/athletes/") + kUnknownId, {{"bio", "x"}}, other.token).status,
      404);
  EXPECT_EQ(Str(client().Get(path).Json().at("first_name")), "Noah");
  EXPECT_EQ(client().Get(path).Json().at("version").as_int64(), 1);

  GrantAdmin(other);
  other.token = SignIn(other.username, other.password);
  HttpResponse by_admin = client().Patch(path, {{"bio", "Set by an admin"}}, other.token);
  ASSERT_EQ(by_admin.status, 200) << by_admin.body;
  EXPECT_EQ(Str(by_admin.Json().at("bio")), "Set by an admin");
  EXPECT_EQ(Str(by_admin.Json().at("id")), athlete.id);
  EXPECT_EQ(client().Delete(path, other.token).status, 204);
  EXPECT_EQ(client().Get(path).status, 404);
  EXPECT_EQ(client().Get("/users/" + athlete.id).status, 200);
}

TEST_F(Athletes, AStaleIfMatchIs412AndChangesNothing) {
  Account account = SignUp();
  BecomeAthlete(account, "Sifan", "Hassan");
  std::string path = "/athletes/" + account.id;
  ASSERT_EQ(
      client().Patch(path, {{"team", "NN Running"}}, account.token, {{"If-Match", "\"1\""}}).status,
      200);
  HttpResponse stale =
      client().Patch(path, {{"team", "Lost update"}}, account.token, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(ErrorCodeOf(stale), "precondition_failed");
  HttpResponse current = client().Get(path);
  EXPECT_EQ(Str(current.Json().at("team")), "NN Running");
  EXPECT_EQ(current.Json().at("version").as_int64(), 2);
  EXPECT_EQ(client().Delete(path, account.token, {{"If-Match", "\"1\""}}).status, 412);
  EXPECT_EQ(client().Get(path).status, 200);
  EXPECT_EQ(client().Delete(path, account.token, {{"If-Match", "\"2\""}}).status, 204);
}

TEST_F(Athletes, DeletingTheProfileDropsItsCalendarAndFollowersButKeepsTheUser) {
  Account athlete = SignUp();
  Account follower = SignUp();
  BecomeAthlete(athlete, "Mondo", "Duplantis");
  auto competition = CreateCompetition(follower, "Stockholm Bauhaus", "2026-06-15", "2026-06-15");
  HttpResponse event = client().Post("/athletes/" + athlete.id + "/events",
                                     {{"competition_id", competition.at("id")},
                                      {"name", "Pole vault"},
                                      {"date_time", "2026-06-15T19:00:00+02:00"}},
                                     athlete.token);
  ASSERT_EQ(event.status, 201) << event.body;
  std::string event_id = Str(event.Json().at("id"));
  ASSERT_EQ(
      client().Put("/users/" + follower.id + "/following/" + athlete.id, follower.token).status,
      204);
  ASSERT_EQ(client().Get("/athletes/" + athlete.id).Json().at("follower_count").as_int64(), 1);

  HttpResponse deleted = client().Delete("/athletes/" + athlete.id, athlete.token);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());

  EXPECT_EQ(client().Get("/athletes/" + athlete.id).status, 404);
  EXPECT_EQ(client().Get("/athletes/" + athlete.id + "/events").status, 404);
  EXPECT_EQ(client().Get("/events/" + event_id).status, 404);
  HttpResponse following = client().Get("/users/" + follower.id + "/following");
  ASSERT_EQ(following.status, 200) << following.body;
  EXPECT_TRUE(following.Json().at("items").as_array().empty());
  HttpResponse user = client().Get("/users/" + athlete.id);
  ASSERT_EQ(user.status, 200);
  EXPECT_FALSE(user.Json().at("is_athlete").as_bool());
  EXPECT_EQ(client().Get("/users/me", athlete.token).status, 200);
  // The competition is not the athlete's and stays.
  EXPECT_EQ(client().Get("/competitions/" + Str(competition.at("id"))).status, 200);
  EXPECT_EQ(client().Delete("/athletes/" + athlete.id, athlete.token).status, 404);

  // The user may become an athlete again, starting afresh.
  auto again = BecomeAthlete(athlete, "Armand", "Duplantis");
  EXPECT_EQ(again.at("follower_count").as_int64(), 0);
  EXPECT_EQ(again.at("version").as_int64(), 1);
  EXPECT_TRUE(
      client().Get("/athletes/" + athlete.id + "/events").Json().at("items").as_array().empty());
}

TEST_F(Athletes, DeletingTheUserDeletesItsAthleteProfile) {
  Account athlete = SignUp();
  BecomeAthlete(athlete, "Yulimar", "Rojas");
  ASSERT_EQ(client().Delete("/users/" + athlete.id, athlete.token).status, 204);
  EXPECT_EQ(client().Get("/athletes/" + athlete.id).status, 404);
  EXPECT_TRUE(client().Get("/athletes").Json().at("items").as_array().empty());
}

}  // namespace
}  // namespace tt::testing
