// DynamoDbStore: athletes and following.
#include <algorithm>
#include <boost/json/array.hpp>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/case_folding.h"
#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

namespace json = boost::json;
using dynamodb::Expression;
using dynamodb::Reply;

namespace {

constexpr char kNoSuchAthlete[] = "no such athlete";
constexpr char kNoSuchUser[] = "no such user";

// Items of a Query whose filter may drop most of what it reads: larger pages, fewer round trips.
constexpr size_t kFilteredPageSize = 100;

}  // namespace

// Every event and follow still naming athlete `id`, deleted in batches. Run after the profile is
// gone, and before a new profile is made under the same id (a user may become an athlete again),
// so that nothing of an earlier profile comes back with the new one.
Async<Status> DynamoDbStore::DeleteAthleteDependents(std::string_view id) {
  const std::function<Async<Status>(size_t)> sweep = [&](size_t kind) -> Async<Status> {
    // Its calendar in gsi1, its followers in gsi2.
    const bool events = kind == 0;
    const std::string_view index = events ? dynamodb::kGsi1 : dynamodb::kGsi2;
    const std::string partition = events ? dynamodb::CalendarPk(id) : dynamodb::FollowersPk(id);
    co_return co_await DeleteIndexPartition(index, partition);
  };
  co_return co_await ForEachConcurrently(2, sweep);
}

Async<Status> DynamoDbStore::CreateAthlete(const Athlete& athlete) {
  Result<Profile> profile = co_await ReadProfile(athlete.id);
  if (!profile.ok()) co_return std::move(profile).error();
  if (!profile->user.has_value()) co_return Error::NotFound(kNoSuchUser);
  if (profile->athlete.has_value()) co_return Error::Conflict("the user already is an athlete");
  if (Status status = co_await DeleteAthleteDependents(athlete.id); !status.ok()) co_return status;

  const std::string username(dynamodb::StringOf(*profile->user, "username"));
  Item put_athlete{{"Item", dynamodb::AthleteItem(athlete, username)},
                   {"ConditionExpression", "attribute_not_exists(pk)"}};
  Result<Reply> created = co_await Call("PutItem", std::move(put_athlete));
  if (!created.ok()) co_return std::move(created).error();
  if (ConditionFailed(*created)) co_return Error::Conflict("the user already is an athlete");

  // DeleteUser may have swept the user's partition between the read above and the write: then
  // this profile is the sweep's leftover, and is taken back.
  Result<std::optional<Item>> user = co_await GetItem(dynamodb::UserKey(athlete.id));
  if (!user.ok()) co_return std::move(user).error();
  if (!user->has_value()) {
    Item undo{{"Key", dynamodb::AthleteKey(athlete.id)}};
    Result<Reply> undone = co_await Call("DeleteItem", std::move(undo));
    if (!undone.ok()) co_return std::move(undone).error();
    co_return Error::NotFound(kNoSuchUser);
  }
  co_return Status::Ok();
}

Async<Result<Athlete>> DynamoDbStore::GetAthlete(std::string_view id) {
  Result<Profile> profile = co_await ReadProfile(id);
  if (!profile.ok()) co_return std::move(profile).error();
  // A profile is shown only with its user (DeleteUser removes the user first).
  if (!profile->athlete.has_value() || !profile->user.has_value()) {
    co_return Error::NotFound(kNoSuchAthlete);
  }
  co_return dynamodb::ReadAthlete(*profile->athlete, logger_);
}

Async<Status> DynamoDbStore::UpdateAthlete(const Athlete& athlete, int64_t expected_version) {
  const Item fields = dynamodb::AthleteItem(athlete, athlete.username);
  Expression expression;
  Item request{{"Key", dynamodb::AthleteKey(athlete.id)}};
  const std::vector<std::string_view> updated_attributes = dynamodb::AthleteUpdatedAttributes();
  request["UpdateExpression"] = expression.SetFrom(fields, updated_attributes);
  request["ConditionExpression"] =
      expression.Name("version") + " = " + expression.Value(dynamodb::N(expected_version));
  expression.AddTo(request);
  Result<Reply> updated = co_await Call("UpdateItem", std::move(request));
  if (!updated.ok()) co_return std::move(updated).error();
  if (ConditionFailed(*updated)) {
    co_return co_await VersionFailure(dynamodb::AthleteKey(athlete.id), kNoSuchAthlete);
  }
  co_return Status::Ok();
}

// The commit point is the conditional delete of the profile; its events and followers go after.
Async<Status> DynamoDbStore::DeleteAthlete(std::string_view id,
                                           std::optional<int64_t> expected_version) {
  Result<Reply> deleted =
      co_await DeleteVersioned(dynamodb::AthleteKey(id), expected_version, kNoSuchAthlete);
  if (!deleted.ok()) co_return std::move(deleted).error();
  if (Status status =
          co_await AppendChange(ChangeType::kAthleteDeleted, change_encoder_->Deleted(id));
      !status.ok()) {
    co_return status;
  }
  co_return co_await DeleteAthleteDependents(id);
}

// One Query of the list partition of index gsi1, whose sort key orders by (last name key,
// first name key, id). A prefix is a filter on that walk (it may match either name, so no one
// key range holds the matches).
Async<Result<Page<Athlete>>> DynamoDbStore::ListAthletes(const AthleteQuery& query) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  Expression expression;
  Item request{{"IndexName", dynamodb::kGsi1}};
  std::string key_condition = expression.Name(dynamodb::kGsi1Pk) + " = " +
                              expression.Value(dynamodb::S(dynamodb::kAthleteList));
  if (query.after.has_value()) {
    key_condition +=
        " AND " + expression.Name(dynamodb::kGsi1Sk) + " > " +
        expression.Value(dynamodb::S(dynamodb::AthleteListKey(
            query.after->last_name_key, query.after->first_name_key, query.after->id)));
  }
  request["KeyConditionExpression"] = key_condition;
  const bool filtered = query.prefix.has_value() && !query.prefix->empty();
  if (filtered) {
    // The same folding as the stored keys (CursorOf), so that a prefix matches as SQLite's does.
    const std::string prefix = expression.Value(dynamodb::S(FoldCase(*query.prefix)));
    request["FilterExpression"] = "begins_with(" + expression.Name("last_key") + ", " + prefix +
                                  ") OR begins_with(" + expression.Name("first_key") + ", " +
                                  prefix + ")";
  }
  request["Limit"] = filtered ? std::max(limit + 1, kFilteredPageSize) : limit + 1;
  expression.AddTo(request);

  Result<std::vector<Item>> items = co_await QueryUpTo(std::move(request), limit + 1);
  if (!items.ok()) co_return std::move(items).error();
  co_return dynamodb::ReadPage(std::move(*items), limit, &dynamodb::ReadAthlete, logger_);
}

// The follow item is the commit point (its condition makes following again keep the first
// time); the athlete's follower_count is incremented after it, on condition that the athlete
// still exists, and a follow of an athlete deleted meanwhile is taken back.
Async<Status> DynamoDbStore::Follow(std::string_view user_id, std::string_view athlete_id,
                                    Timestamp at) {
  Result<Profile> athlete = Error::Internal();
  Result<std::optional<Item>> user = Error::Internal();
  const std::function<Async<Status>(size_t)> read = [&](size_t which) -> Async<Status> {
    if (which == 0) {
      athlete = co_await ReadProfile(athlete_id);
    } else {
      user = co_await GetItem(dynamodb::UserKey(user_id));
    }
    co_return Status::Ok();
  };
  if (Status status = co_await ForEachConcurrently(2, read); !status.ok()) co_return status;
  if (!athlete.ok()) co_return std::move(athlete).error();
  if (!athlete->athlete.has_value() || !athlete->user.has_value()) {
    co_return Error::NotFound(kNoSuchAthlete);
  }
  if (!user.ok()) co_return std::move(user).error();
  if (!user->has_value()) co_return Error::NotFound(kNoSuchUser);

  Item put_follow{{"Item", dynamodb::FollowItem(user_id, athlete_id, at)},
                  {"ConditionExpression", "attribute_not_exists(pk)"}};
  Result<Reply> followed = co_await Call("PutItem", std::move(put_follow));
  if (!followed.ok()) co_return std::move(followed).error();
  if (ConditionFailed(*followed)) co_return Status::Ok();  // already following

  Expression expression;
  Item count{{"Key", dynamodb::AthleteKey(athlete_id)}};
  count["UpdateExpression"] =
      "ADD " + expression.Name("follower_count") + " " + expression.Value(dynamodb::N(1));
  count["ConditionExpression"] = "attribute_exists(" + expression.Name(dynamodb::kPk) + ")";
  expression.AddTo(count);
  Result<Reply> counted = co_await Call("UpdateItem", std::move(count));
  if (!counted.ok()) co_return std::move(counted).error();
  if (ConditionFailed(*counted)) {
    Item undo{{"Key", dynamodb::FollowKey(user_id, athlete_id)}};
    Result<Reply> undone = co_await Call("DeleteItem", std::move(undo));
    if (!undone.ok()) co_return std::move(undone).error();
    co_return Error::NotFound(kNoSuchAthlete);
  }
  co_return co_await AppendChange(ChangeType::kFollowCreated,
                                  change_encoder_->Follow(user_id, athlete_id, at));
}

Async<Status> DynamoDbStore::Unfollow(std::string_view user_id, std::string_view athlete_id) {
  // ALL_OLD tells whether this call removed the follow, so that of racing unfollows (or an
  // unfollow racing DeleteUser) only one decrements the count.
  Item delete_follow{{"Key", dynamodb::FollowKey(user_id, athlete_id)},
                     {"ReturnValues", "ALL_OLD"}};
  Result<Reply> removed = co_await Call("DeleteItem", std::move(delete_follow));
  if (!removed.ok()) co_return std::move(removed).error();
  if (!removed->body.contains("Attributes")) co_return Status::Ok();
  if (Status status = co_await AppendChange(ChangeType::kFollowDeleted,
                                            change_encoder_->FollowKey(user_id, athlete_id));
      !status.ok()) {
    co_return status;
  }
  Expression expression;
  Item count{{"Key", dynamodb::AthleteKey(athlete_id)}};
  count["UpdateExpression"] =
      "ADD " + expression.Name("follower_count") + " " + expression.Value(dynamodb::N(-1));
  count["ConditionExpression"] = "attribute_exists(" + expression.Name(dynamodb::kPk) + ")";
  expression.AddTo(count);
  Result<Reply> counted = co_await Call("UpdateItem", std::move(count));
  if (!counted.ok()) co_return std::move(counted).error();
  co_return Status::Ok();  // a condition failure: the athlete is gone, with its count
}

// The user's follows from index gsi1 (sort key "<followed_at>#<athlete_id>", read backwards),
// then their athletes in one BatchGetItem. A follow whose athlete is gone is skipped.
Async<Result<Page<FollowedAthlete>>> DynamoDbStore::ListFollowing(const FollowingQuery& query) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  Result<std::optional<Item>> user = Error::Internal();
  Result<std::vector<Item>> follows = Error::Internal();
  const std::function<Async<Status>(size_t)> read = [&](size_t which) -> Async<Status> {
    if (which == 0) {
      user = co_await GetItem(dynamodb::UserKey(query.user_id));
      co_return Status::Ok();
    }
    Expression expression;
    Item request{{"IndexName", dynamodb::kGsi1}, {"ScanIndexForward", false}, {"Limit", limit + 1}};
    std::string key_condition = expression.Name(dynamodb::kGsi1Pk) + " = " +
                                expression.Value(dynamodb::S(dynamodb::FollowingPk(query.user_id)));
    if (query.after.has_value()) {
      key_condition += " AND " + expression.Name(dynamodb::kGsi1Sk) + " < " +
                       expression.Value(dynamodb::S(
                           dynamodb::FollowingKey(query.after->followed_at, query.after->id)));
    }
    request["KeyConditionExpression"] = key_condition;
    expression.AddTo(request);
    follows = co_await QueryUpTo(std::move(request), limit + 1);
    co_return Status::Ok();
  };
  if (Status status = co_await ForEachConcurrently(2, read); !status.ok()) {
    co_return std::move(status).error();
  }
  if (!user.ok()) co_return std::move(user).error();
  if (!user->has_value()) co_return Error::NotFound(kNoSuchUser);
  if (!follows.ok()) co_return std::move(follows).error();

  Page<FollowedAthlete> page;
  page.has_more = follows->size() > limit;
  if (page.has_more) follows->resize(limit);
  std::vector<dynamodb::FollowRecord> records;
  std::vector<Item> keys;
  for (const Item& item : *follows) {
    Result<dynamodb::FollowRecord> record = dynamodb::ReadFollow(item, logger_);
    if (!record.ok()) co_return std::move(record).error();
    keys.push_back(dynamodb::AthleteKey(record->athlete_id));
    records.push_back(std::move(*record));
  }
  Result<std::vector<Item>> athletes = co_await BatchGet(std::move(keys), /*consistent=*/true);
  if (!athletes.ok()) co_return std::move(athletes).error();
  std::map<std::string, Athlete, std::less<>> by_id;
  for (const Item& item : *athletes) {
    Result<Athlete> athlete = dynamodb::ReadAthlete(item, logger_);
    if (!athlete.ok()) co_return std::move(athlete).error();
    std::string id = athlete->id;
    by_id.emplace(std::move(id), std::move(*athlete));
  }
  for (dynamodb::FollowRecord& record : records) {
    const auto athlete = by_id.find(record.athlete_id);
    if (athlete == by_id.end()) continue;
    page.items.push_back(FollowedAthlete{athlete->second, record.followed_at});
  }
  co_return page;
}

// The athlete's follows from index gsi2 (sort key "<followed_at>#<user_id>", read backwards),
// then, in one BatchGetItem, their users and the athlete's own two items: a follower whose user
// is gone is skipped, and a profile deleted mid-cascade is kNotFound even while its follows are
// still being swept. Two calls a page.
Async<Result<Page<Follower>>> DynamoDbStore::ListFollowers(const FollowersQuery& query) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  Expression expression;
  Item request{{"IndexName", dynamodb::kGsi2}, {"ScanIndexForward", false}, {"Limit", limit + 1}};
  std::string key_condition =
      expression.Name(dynamodb::kGsi2Pk) + " = " +
      expression.Value(dynamodb::S(dynamodb::FollowersPk(query.athlete_id)));
  if (query.after.has_value()) {
    key_condition += " AND " + expression.Name(dynamodb::kGsi2Sk) + " < " +
                     expression.Value(dynamodb::S(
                         dynamodb::FollowingKey(query.after->followed_at, query.after->id)));
  }
  request["KeyConditionExpression"] = key_condition;
  expression.AddTo(request);
  Result<std::vector<Item>> follows = co_await QueryUpTo(std::move(request), limit + 1);
  if (!follows.ok()) co_return std::move(follows).error();

  Page<Follower> page;
  page.has_more = follows->size() > limit;
  if (page.has_more) follows->resize(limit);
  std::vector<dynamodb::FollowRecord> records;
  std::vector<Item> keys = {dynamodb::UserKey(query.athlete_id),
                            dynamodb::AthleteKey(query.athlete_id)};
  for (const Item& item : *follows) {
    Result<dynamodb::FollowRecord> record = dynamodb::ReadFollow(item, logger_);
    if (!record.ok()) co_return std::move(record).error();
    keys.push_back(dynamodb::UserKey(record->user_id));
    records.push_back(std::move(*record));
  }
  Result<std::vector<Item>> found = co_await BatchGet(std::move(keys), /*consistent=*/true);
  if (!found.ok()) co_return std::move(found).error();

  const std::string athlete_pk = dynamodb::UserPk(query.athlete_id);
  bool athlete_user = false;
  bool athlete_profile = false;
  std::map<std::string, User, std::less<>> users;
  for (const Item& item : *found) {
    const std::string_view sk = dynamodb::StringOf(item, dynamodb::kSk);
    if (dynamodb::StringOf(item, dynamodb::kPk) == athlete_pk) {
      athlete_user = athlete_user || sk == dynamodb::kUserSk;
      athlete_profile = athlete_profile || sk == dynamodb::kAthleteSk;
      continue;
    }
    Result<User> user = dynamodb::ReadUser(item, /*is_athlete=*/false, logger_);
    if (!user.ok()) co_return std::move(user).error();
    std::string id = user->id;
    users.emplace(std::move(id), std::move(*user));
  }
  if (!athlete_user || !athlete_profile) co_return Error::NotFound(kNoSuchAthlete);
  for (const dynamodb::FollowRecord& record : records) {
    const auto user = users.find(record.user_id);
    if (user == users.end()) continue;
    page.items.push_back(Follower{user->second.id, user->second.username, user->second.display_name,
                                  record.followed_at});
  }
  co_return page;
}

}  // namespace tt
