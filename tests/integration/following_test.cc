// Following athletes over real HTTP, as ../shared/API.md specifies it: idempotent follow and
// unfollow of one's own follows, the newest-first list, and what deleting users takes with it.
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

class Following : public ApiTest {
 protected:
  // A new user who is an athlete named `first` `last`.
  Account NewAthlete(std::string_view first, std::string_view last) {
    Account account = SignUp("athlete");
    HttpResponse created =
        client().Post("/athletes", {{"first_name", first}, {"last_name", last}}, account.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return account;
  }

  static std::string FollowPath(const Account& follower, const std::string& athlete_id) {
    return "/users/" + follower.id + "/following/" + athlete_id;
  }

  HttpResponse Follow(const Account& follower, const Account& athlete) {
    return client().Put(FollowPath(follower, athlete.id), follower.token);
  }

  int64_t FollowerCount(const Account& athlete) {
    HttpResponse response = client().Get("/athletes/" + athlete.id);
    EXPECT_EQ(response.status, 200) << response.body;
    if (response.status != 200) return -1;
    return response.Json().at("follower_count").as_int64();
  }

  // The ids on the first page of `user_id`'s following list.
  std::vector<std::string> FollowedIds(const std::string& user_id) {
    HttpResponse list = client().Get("/users/" + user_id + "/following");
    EXPECT_EQ(list.status, 200) << list.body;
    std::vector<std::string> ids;
    if (list.status != 200) return ids;
    for (const auto& item : Items(list)) ids.push_back(Str(item.at("id")));
    return ids;
  }
};

TEST_F(Following, FollowAndUnfollowAreIdempotentAndCountFollowers) {
  Account fan = SignUp("fan");
  Account athlete = NewAthlete("Faith", "Kipyegon");
  HttpResponse followed = Follow(fan, athlete);
  EXPECT_EQ(followed.status, 204) << followed.body;
  EXPECT_TRUE(followed.body.empty());
  EXPECT_EQ(Follow(fan, athlete).status, 204);
  EXPECT_EQ(FollowerCount(athlete), 1);
  EXPECT_EQ(FollowedIds(fan.id), (std::vector<std::string>{athlete.id}));

  HttpResponse unfollowed = client().Delete(FollowPath(fan, athlete.id), fan.token);
  EXPECT_EQ(unfollowed.status, 204);
  EXPECT_TRUE(unfollowed.body.empty());
  EXPECT_EQ(client().Delete(FollowPath(fan, athlete.id), fan.token).status, 204);
  EXPECT_EQ(FollowerCount(athlete), 0);
  EXPECT_TRUE(FollowedIds(fan.id).empty());
}

TEST_F(Following, FollowerCountCountsEachFollowerOnce) {
  Account athlete = NewAthlete("Femke", "Bol");
  Account first = SignUp("fan");
  Account second = SignUp("fan");
  ASSERT_EQ(Follow(first, athlete).status, 204);
  ASSERT_EQ(Follow(second, athlete).status, 204);
  ASSERT_EQ(Follow(second, athlete).status, 204);
  EXPECT_EQ(FollowerCount(athlete), 2);
  // The count shows in lists too.
  HttpResponse list = client().Get("/athletes");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Json().at("items").at(0).at("follower_count").as_int64(), 2);
}

TEST_F(Following, OnlyAthletesCanBeFollowed) {
  Account fan = SignUp("fan");
  Account plain_user = SignUp("plain");
  HttpResponse not_athlete = client().Put(FollowPath(fan, plain_user.id), fan.token);
  EXPECT_EQ(not_athlete.status, 404);
  EXPECT_EQ(ErrorCodeOf(not_athlete), "not_found");
  EXPECT_EQ(client().Put(FollowPath(fan, kUnknownId), fan.token).status, 404);
  EXPECT_EQ(client().Put(FollowPath(fan, "not-an-id"), fan.token).status, 404);
  EXPECT_TRUE(FollowedIds(fan.id).empty());
}

TEST_F(Following, FollowingOneselfIs422) {
  Account athlete = NewAthlete("Noah", "Lyles");
  HttpResponse self = Follow(athlete, athlete);
  EXPECT_EQ(self.status, 422);
  EXPECT_EQ(ErrorCodeOf(self), "validation_failed");
  EXPECT_EQ(FollowerCount(athlete), 0);
  EXPECT_TRUE(FollowedIds(athlete.id).empty());
}

TEST_F(Following, OnlyTheUserItselfMayChangeItsFollows) {
  Account fan = SignUp("fan");
  Account other = SignUp("other");
  Account athlete = NewAthlete("Karsten", "Warholm");
  HttpResponse forbidden = client().Put(FollowPath(fan, athlete.id), other.token);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(ErrorCodeOf(forbidden), "forbidden");
  EXPECT_EQ(client().Put(FollowPath(fan, athlete.id)).status, 401);
  EXPECT_EQ(client().Put(FollowPath(fan, athlete.id), "garbage-token").status, 401);
  EXPECT_EQ(FollowerCount(athlete), 0);

  ASSERT_EQ(Follow(fan, athlete).status, 204);
  EXPECT_EQ(client().Delete(FollowPath(fan, athlete.id), other.token).status, 403);
  EXPECT_EQ(client().Delete(FollowPath(fan, athlete.id)).status, 401);
  EXPECT_EQ(FollowerCount(athlete), 1);

  // Following is personal: the contract lets only the user itself follow, not an admin.
  GrantAdmin(other);
  other.token = SignIn(other.username, other.password);
  EXPECT_EQ(client().Delete(FollowPath(fan, athlete.id), other.token).status, 403);
  EXPECT_EQ(FollowerCount(athlete), 1);
}

TEST_F(Following, ThePrototypesPostFollowPathWorksLikePut) {
  Account fan = SignUp("fan");
  Account athlete = NewAthlete("Sydney", "McLaughlin");
  std::string alias = "/users/" + fan.id + "/follow/" + athlete.id;
  // The prototype's clients send no body.
  HttpResponse followed = client().Send("POST", alias, fan.token);
  EXPECT_EQ(followed.status, 204) << followed.body;
  HttpResponse again = client().Post(alias, boost::json::object{}, fan.token);
  EXPECT_EQ(again.status, 204) << again.body;
  EXPECT_EQ(FollowerCount(athlete), 1);
  EXPECT_EQ(FollowedIds(fan.id), (std::vector<std::string>{athlete.id}));

  Account other = SignUp("other");
  EXPECT_EQ(client().Send("POST", alias, other.token).status, 403);
  EXPECT_EQ(client().Send("POST", alias).status, 401);
  EXPECT_EQ(client().Send("POST", "/users/" + fan.id + "/follow/" + kUnknownId, fan.token).status,
            404);
  EXPECT_EQ(
      client().Send("POST", "/users/" + athlete.id + "/follow/" + athlete.id, athlete.token).status,
      422);
}

TEST_F(Following, TheFollowingListIsNewestFollowFirstAndPages) {
  Account fan = SignUp("fan");
  Account a = NewAthlete("Mondo", "Duplantis");
  Account b = NewAthlete("Beatrice", "Chebet");
  Account c = NewAthlete("Jakob", "Ingebrigtsen");
  ASSERT_EQ(Follow(fan, a).status, 204);
  ASSERT_EQ(Follow(fan, b).status, 204);
  EXPECT_EQ(FollowedIds(fan.id), (std::vector<std::string>{b.id, a.id}));
  ASSERT_EQ(Follow(fan, c).status, 204);
  // Following again is no new follow: the order stays.
  ASSERT_EQ(Follow(fan, a).status, 204);

  // Public, and the items are athletes.
  HttpResponse list = client().Get("/users/" + fan.id + "/following");
  ASSERT_EQ(list.status, 200) << list.body;
  const boost::json::array items = Items(list);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(Str(items[0].at("id")), c.id);
  EXPECT_EQ(Str(items[0].at("first_name")), "Jakob");
  EXPECT_EQ(Str(items[0].at("last_name")), "Ingebrigtsen");
  EXPECT_EQ(items[0].at("follower_count").as_int64(), 1);
  EXPECT_TRUE(list.Json().at("next_cursor").is_null());

  std::vector<std::string> paged;
  std::string cursor;
  int pages = 0;
  for (; pages < 10; ++pages) {
    HttpResponse page = client().Get("/users/" + fan.id + "/following?limit=1" +
                                     (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_LE(page.Json().at("items").as_array().size(), 1u);
    for (const auto& item : Items(page)) paged.push_back(Str(item.at("id")));
    if (page.Json().at("next_cursor").is_null()) break;
    cursor = Str(page.Json().at("next_cursor"));
  }
  EXPECT_EQ(paged, (std::vector<std::string>{c.id, b.id, a.id}));
  EXPECT_GE(pages, 2);
}

TEST_F(Following, TheFollowingListRejectsBadParametersAndUnknownUsers) {
  Account fan = SignUp("fan");
  HttpResponse cursor = client().Get("/users/" + fan.id + "/following?cursor=garbage");
  EXPECT_EQ(cursor.status, 422);
  EXPECT_TRUE(NamesField(cursor, "cursor"));
  HttpResponse limit = client().Get("/users/" + fan.id + "/following?limit=0");
  EXPECT_EQ(limit.status, 422);
  EXPECT_TRUE(NamesField(limit, "limit"));
  EXPECT_EQ(client().Get(std::string("/users/") + kUnknownId + "/following").status, 404);
  EXPECT_EQ(client().Get("/users/not-an-id/following").status, 404);
  // A user who follows nobody has an empty list.
  HttpResponse empty = client().Get("/users/" + fan.id + "/following");
  ASSERT_EQ(empty.status, 200);
  EXPECT_TRUE(empty.Json().at("items").as_array().empty());
  EXPECT_TRUE(empty.Json().at("next_cursor").is_null());
}

TEST_F(Following, DeletingTheFollowerRemovesItsFollows) {
  Account fan = SignUp("fan");
  Account athlete = NewAthlete("Shericka", "Jackson");
  ASSERT_EQ(Follow(fan, athlete).status, 204);
  ASSERT_EQ(FollowerCount(athlete), 1);
  ASSERT_EQ(client().Delete("/users/" + fan.id, fan.token).status, 204);
  EXPECT_EQ(FollowerCount(athlete), 0);
  EXPECT_EQ(client().Get("/users/" + fan.id + "/following").status, 404);
}

TEST_F(Following, DeletingAFollowedAthletesUserRemovesTheFollow) {
  Account fan = SignUp("fan");
  Account kept = NewAthlete("Yulimar", "Rojas");
  Account deleted = NewAthlete("Armand", "Duplantis");
  ASSERT_EQ(Follow(fan, kept).status, 204);
  ASSERT_EQ(Follow(fan, deleted).status, 204);
  ASSERT_EQ(client().Delete("/users/" + deleted.id, deleted.token).status, 204);
  EXPECT_EQ(FollowedIds(fan.id), (std::vector<std::string>{kept.id}));
  EXPECT_EQ(client().Put(FollowPath(fan, deleted.id), fan.token).status, 404);
}

}  // namespace
}  // namespace tt::testing
