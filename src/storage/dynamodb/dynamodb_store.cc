// DynamoDbStore: opening and users. Sessions and sign-in throttling, competitions, athletes and
// follows, events and the feed are in the sibling dynamodb_store_*.cc files; the request
// helpers in dynamodb_store_requests.cc.
#include "storage/dynamodb/dynamodb_store.h"

#include <boost/json/array.hpp>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <utility>

#include "storage/dynamodb/item_codec.h"
#include "storage/dynamodb/tables.h"

namespace tt {

namespace json = boost::json;
using dynamodb::Expression;
using dynamodb::Reply;

namespace {

constexpr char kNoSuchUser[] = "no such user";

// A claim on a username whose user item never appeared is left by a sign-up that died between
// its two writes (or by a DeleteUser that died before releasing it). A claim younger than this
// may belong to a sign-up still in flight, so it is never taken over.
constexpr auto kAbandonedClaimAge = std::chrono::minutes(1);

// The Client constructor throws for a malformed endpoint: a start-up failure, told as one line.
Result<std::unique_ptr<dynamodb::Client>> MakeClient(const DynamoDbStoreOptions& options,
                                                     Logger& logger) {
  try {
    return std::make_unique<dynamodb::Client>(options.client, logger);
  } catch (const std::invalid_argument& error) {
    return Error{ErrorCode::kInternal,
                 std::string("invalid DynamoDB client settings: ") + error.what(),
                 {},
                 {}};
  }
}

std::string RandomHex64() {
  std::random_device device;
  const uint64_t value = (uint64_t{device()} << 32) | device();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

std::string DynamoDbStore::TableName(std::string_view table_prefix) {
  return std::string(table_prefix) + "data";
}

Async<Result<std::unique_ptr<DynamoDbStore>>> DynamoDbStore::Open(DynamoDbStoreOptions options,
                                                                  Logger& logger) {
  if (options.change_encoder == nullptr) {
    co_return Error{ErrorCode::kInternal, "the store has no change encoder", {}, {}};
  }
  Result<std::unique_ptr<dynamodb::Client>> client = MakeClient(options, logger);
  if (!client.ok()) co_return std::move(client).error();
  std::string table = TableName(options.table_prefix);
  if (Status status =
          co_await dynamodb::EnsureTable(**client, logger, table, options.create_tables);
      !status.ok()) {
    co_return std::move(status).error();
  }
  logger.Info("dynamodb: using table " + table + " at " + options.client.settings.endpoint);
  std::unique_ptr<DynamoDbStore> store(new DynamoDbStore(
      std::move(*client), std::move(table), logger, std::move(options.change_encoder),
      options.clock != nullptr ? *options.clock : TheSystemClock()));
  if (Status status = co_await store->MigrateData(); !status.ok()) {
    co_return std::move(status).error();
  }
  co_return store;
}

Async<Status> DynamoDbStore::CreateTables(const DynamoDbStoreOptions& options, Logger& logger) {
  Result<std::unique_ptr<dynamodb::Client>> client = MakeClient(options, logger);
  if (!client.ok()) co_return std::move(client).error();
  co_return co_await dynamodb::EnsureTable(**client, logger, TableName(options.table_prefix),
                                           /*create=*/true);
}

DynamoDbStore::DynamoDbStore(std::unique_ptr<dynamodb::Client> client, std::string table,
                             Logger& logger, std::shared_ptr<const ChangeEncoder> change_encoder,
                             const Clock& clock)
    : client_(std::move(client)),
      table_(std::move(table)),
      logger_(logger),
      nonce_prefix_(RandomHex64()),
      change_encoder_(std::move(change_encoder)),
      clock_(clock) {}

DynamoDbStore::~DynamoDbStore() = default;

std::vector<StoreCounter> DynamoDbStore::Counters() const {
  return {
      {"tt_dynamodb_calls_total", "DynamoDB API calls sent, retries included", client_->attempts()},
      {"tt_dynamodb_calls_refused_busy_total",
       "DynamoDB calls refused because too many were in flight for too long (answered 503)",
       client_->refused_as_busy()}};
}

Async<Status> DynamoDbStore::Ping() {
  // A data-plane read (DescribeTable is rate-limited far lower), of an item that may not exist.
  Result<std::optional<Item>> meta = co_await GetItem(dynamodb::MetaKey());
  if (!meta.ok()) co_return std::move(meta).error();
  co_return Status::Ok();
}

Async<Result<DynamoDbStore::Profile>> DynamoDbStore::ReadProfile(std::string_view id) {
  Expression expression;
  Item request{{"ConsistentRead", true}};
  request["KeyConditionExpression"] = expression.Name(dynamodb::kPk) + " = " +
                                      expression.Value(dynamodb::S(dynamodb::UserPk(id))) +
                                      " AND begins_with(" + expression.Name(dynamodb::kSk) + ", " +
                                      expression.Value(dynamodb::S(dynamodb::kProfilePrefix)) + ")";
  expression.AddTo(request);
  Result<std::vector<Item>> items = co_await QueryAll(std::move(request));
  if (!items.ok()) co_return std::move(items).error();
  Profile profile;
  for (Item& item : *items) {
    const std::string_view sk = dynamodb::StringOf(item, dynamodb::kSk);
    if (sk == dynamodb::kUserSk) profile.user = std::move(item);
    if (sk == dynamodb::kAthleteSk) profile.athlete = std::move(item);
  }
  co_return profile;
}

// ---- Users ------------------------------------------------------------------------------------

// Two conditional writes: the claim on the username key first (it alone decides who gets the
// name: of racing sign-ups exactly one claim succeeds), then the user item. A failure of the
// second releases the claim again.
Async<Status> DynamoDbStore::CreateUser(const User& user, const std::string& password_hash) {
  const std::string username_key = UsernameKey(user.username);
  for (int attempt = 0; attempt < 2; ++attempt) {
    Item claim_request{{"Item", dynamodb::UsernameItem(username_key, user.id, user.created_at)},
                       {"ConditionExpression", "attribute_not_exists(pk)"}};
    Result<Reply> claimed = co_await Call("PutItem", std::move(claim_request));
    if (!claimed.ok()) co_return std::move(claimed).error();
    if (!ConditionFailed(*claimed)) break;

    // Taken, unless the claim is abandoned: its user never appeared and it is old.
    Result<std::optional<Item>> claim =
        co_await GetItem(dynamodb::UsernameKeyItemKey(username_key));
    if (!claim.ok()) co_return std::move(claim).error();
    if (!claim->has_value()) continue;  // released meanwhile: claim again
    const std::string holder(dynamodb::StringOf(**claim, "user_id"));
    Result<std::optional<Item>> holder_user = co_await GetItem(dynamodb::UserKey(holder));
    if (!holder_user.ok()) co_return std::move(holder_user).error();
    const std::optional<Timestamp> claimed_at =
        ParseInstant(dynamodb::StringOf(**claim, "claimed_at"));
    if (holder_user->has_value() || attempt > 0 || !claimed_at.has_value() ||
        user.created_at - *claimed_at < kAbandonedClaimAge) {
      co_return Error::Conflict("the username is taken");
    }
    logger_.Warn("dynamodb: taking over the abandoned claim on a username of user " + holder);
    Expression release;
    Item request{{"Key", dynamodb::UsernameKeyItemKey(username_key)}};
    request["ConditionExpression"] =
        release.Name("user_id") + " = " + release.Value(dynamodb::S(holder));
    release.AddTo(request);
    Result<Reply> released = co_await Call("DeleteItem", std::move(request));
    if (!released.ok()) co_return std::move(released).error();
  }

  Item put_user{{"Item", dynamodb::UserItem(user, password_hash)},
                {"ConditionExpression", "attribute_not_exists(pk)"}};
  Result<Reply> created = co_await Call("PutItem", std::move(put_user));
  if (!created.ok() || ConditionFailed(*created)) {
    // Releases our claim, so that the name is not lost to a failed sign-up.
    Expression release;
    Item request{{"Key", dynamodb::UsernameKeyItemKey(username_key)}};
    request["ConditionExpression"] =
        release.Name("user_id") + " = " + release.Value(dynamodb::S(user.id));
    release.AddTo(request);
    Result<Reply> released = co_await Call("DeleteItem", std::move(request));
    if (!created.ok()) co_return std::move(created).error();
    if (!released.ok()) co_return std::move(released).error();
    co_return Error::Conflict("a user with this id already exists");
  }
  co_return Status::Ok();
}

Async<Result<User>> DynamoDbStore::GetUser(std::string_view id) {
  Result<Profile> profile = co_await ReadProfile(id);
  if (!profile.ok()) co_return std::move(profile).error();
  if (!profile->user.has_value()) co_return Error::NotFound(kNoSuchUser);
  co_return dynamodb::ReadUser(*profile->user, profile->athlete.has_value(), logger_);
}

Async<Result<UserCredentials>> DynamoDbStore::FindUserByUsername(std::string_view username) {
  Result<std::optional<Item>> claim =
      co_await GetItem(dynamodb::UsernameKeyItemKey(UsernameKey(username)));
  if (!claim.ok()) co_return std::move(claim).error();
  if (!claim->has_value()) co_return Error::NotFound(kNoSuchUser);
  Result<Profile> profile = co_await ReadProfile(dynamodb::StringOf(**claim, "user_id"));
  if (!profile.ok()) co_return std::move(profile).error();
  // A claim without its user: a sign-up in flight or abandoned.
  if (!profile->user.has_value()) co_return Error::NotFound(kNoSuchUser);
  Result<User> user = dynamodb::ReadUser(*profile->user, profile->athlete.has_value(), logger_);
  if (!user.ok()) co_return std::move(user).error();
  Result<std::string> hash = dynamodb::ReadPasswordHash(*profile->user, logger_);
  if (!hash.ok()) co_return std::move(hash).error();
  co_return UserCredentials{std::move(*user), std::move(*hash)};
}

// The commit point is the conditional update of the user item. A new password also bumps the
// user's session_epoch, which at once invalidates every session stamped with the old one (see
// FindSession); the kept session is then re-stamped and the others deleted, which only tidies.
Async<Status> DynamoDbStore::UpdateUser(const User& user, int64_t expected_version,
                                        const std::optional<std::string>& new_password_hash,
                                        std::string_view keep_session_hash) {
  const Item fields = dynamodb::UserItem(user, new_password_hash.value_or(""));
  Expression expression;
  const std::vector<std::string_view> updated_attributes = dynamodb::UserUpdatedAttributes();
  std::string update = expression.SetFrom(fields, updated_attributes);
  if (new_password_hash.has_value()) {
    update += ", " + expression.Name("password_hash") + " = " +
              expression.Value(dynamodb::S(*new_password_hash)) + ", " +
              expression.Name("session_epoch") + " = if_not_exists(" +
              expression.Name("session_epoch") + ", " + expression.Value(dynamodb::N(0)) + ") + " +
              expression.Value(dynamodb::N(1));
  }
  // With a new password, the new session_epoch comes back among the updated attributes.
  Item request{{"Key", dynamodb::UserKey(user.id)},
               {"UpdateExpression", update},
               {"ReturnValues", new_password_hash.has_value() ? "UPDATED_NEW" : "NONE"}};
  request["ConditionExpression"] =
      expression.Name("version") + " = " + expression.Value(dynamodb::N(expected_version));
  expression.AddTo(request);
  Result<Reply> updated = co_await Call("UpdateItem", std::move(request));
  if (!updated.ok()) co_return std::move(updated).error();
  if (ConditionFailed(*updated)) {
    co_return co_await VersionFailure(dynamodb::UserKey(user.id), kNoSuchUser);
  }
  if (!new_password_hash.has_value()) co_return Status::Ok();

  const json::value* attributes = updated->body.if_contains("Attributes");
  const int64_t epoch = attributes != nullptr && attributes->is_object()
                            ? dynamodb::ReadSessionEpoch(attributes->get_object())
                            : 0;
  if (!keep_session_hash.empty()) {
    Expression restamp;
    Item keep{{"Key", dynamodb::SessionKey(keep_session_hash)}};
    keep["UpdateExpression"] =
        "SET " + restamp.Name("session_epoch") + " = " + restamp.Value(dynamodb::N(epoch));
    keep["ConditionExpression"] =
        restamp.Name("user_id") + " = " + restamp.Value(dynamodb::S(user.id));
    restamp.AddTo(keep);
    Result<Reply> kept = co_await Call("UpdateItem", std::move(keep));
    if (!kept.ok()) co_return std::move(kept).error();
  }
  co_return co_await DeleteIndexPartition(
      dynamodb::kGsi1, dynamodb::SessionsPk(user.id), [&](const Item& session) {
        return dynamodb::StringOf(session, "token_hash") == keep_session_hash;
      });
}

// The commit point is the conditional delete of the user item: from then on the user is gone
// for every reader (sessions, profiles and follows are only shown with their user). What hangs
// off it is deleted after, in an order that never leaves a visible inconsistency.
Async<Status> DynamoDbStore::DeleteUser(std::string_view id,
                                        std::optional<int64_t> expected_version) {
  Result<Reply> deleted = co_await DeleteVersioned(dynamodb::UserKey(id), expected_version,
                                                   kNoSuchUser, /*return_old=*/true);
  if (!deleted.ok()) co_return std::move(deleted).error();
  if (Status status = co_await AppendChange(ChangeType::kUserDeleted, change_encoder_->Deleted(id));
      !status.ok()) {
    co_return status;
  }

  // The username is free again.
  const json::value* old = deleted->body.if_contains("Attributes");
  const std::string_view username_key = old != nullptr && old->is_object()
                                            ? dynamodb::StringOf(old->get_object(), "username_key")
                                            : std::string_view();
  if (!username_key.empty()) {
    Expression release;
    Item request_release{{"Key", dynamodb::UsernameKeyItemKey(username_key)}};
    request_release["ConditionExpression"] =
        release.Name("user_id") + " = " + release.Value(dynamodb::S(id));
    release.AddTo(request_release);
    Result<Reply> released = co_await Call("DeleteItem", std::move(request_release));
    if (!released.ok()) co_return std::move(released).error();
  }

  // Its calendar token (already dead: the user item named it).
  const std::string token_hash(old != nullptr && old->is_object()
                                   ? dynamodb::StringOf(old->get_object(), "calendar_token_hash")
                                   : std::string_view());
  if (Status status = co_await DeleteCalendarTokenItem(token_hash); !status.ok()) co_return status;

  // Its sessions.
  if (Status status = co_await DeleteIndexPartition(dynamodb::kGsi1, dynamodb::SessionsPk(id));
      !status.ok()) {
    co_return status;
  }

  // Its athlete profile, with that profile's events and followers.
  Item delete_athlete{{"Key", dynamodb::AthleteKey(id)}, {"ReturnValues", "ALL_OLD"}};
  Result<Reply> athlete = co_await Call("DeleteItem", std::move(delete_athlete));
  if (!athlete.ok()) co_return std::move(athlete).error();
  if (athlete->body.contains("Attributes")) {
    if (Status status = co_await DeleteAthleteDependents(id); !status.ok()) co_return status;
  }

  // Its own follows, each unfollowed so that the athletes' follower counts drop.
  Expression follows;
  Item query_follows{{"ConsistentRead", true}};
  query_follows["KeyConditionExpression"] =
      follows.Name(dynamodb::kPk) + " = " + follows.Value(dynamodb::S(dynamodb::UserPk(id))) +
      " AND begins_with(" + follows.Name(dynamodb::kSk) + ", " +
      follows.Value(dynamodb::S(dynamodb::kFollowPrefix)) + ")";
  follows.AddTo(query_follows);
  Result<std::vector<Item>> found_follows = co_await QueryAll(std::move(query_follows));
  if (!found_follows.ok()) co_return std::move(found_follows).error();
  const std::vector<Item>& own_follows = *found_follows;
  const std::function<Async<Status>(size_t)> unfollow = [&](size_t i) -> Async<Status> {
    co_return co_await Unfollow(id, dynamodb::StringOf(own_follows[i], "athlete_id"));
  };
  if (Status status = co_await ForEachConcurrently(own_follows.size(), unfollow); !status.ok()) {
    co_return status;
  }

  // Competitions it created stay, without their creator.
  Result<std::vector<Item>> found_created =
      co_await QueryIndexPartition(dynamodb::kGsi2, dynamodb::CreatedByPk(id));
  if (!found_created.ok()) co_return std::move(found_created).error();
  const std::vector<Item>& competitions = *found_created;
  const std::function<Async<Status>(size_t)> orphan = [&](size_t i) -> Async<Status> {
    Expression clear;
    Item update{{"Key", dynamodb::CompetitionKey(dynamodb::StringOf(competitions[i], "id"))}};
    update["UpdateExpression"] =
        "SET " + clear.Name("created_by") + " = " + clear.Value(dynamodb::Null()) + " REMOVE " +
        clear.Name(dynamodb::kGsi2Pk) + ", " + clear.Name(dynamodb::kGsi2Sk);
    update["ConditionExpression"] = clear.Name("created_by") + " = " + clear.Value(dynamodb::S(id));
    clear.AddTo(update);
    Result<Reply> cleared = co_await Call("UpdateItem", std::move(update));
    if (!cleared.ok()) co_return std::move(cleared).error();
    co_return Status::Ok();  // a condition failure: deleted or changed meanwhile
  };
  co_return co_await ForEachConcurrently(competitions.size(), orphan);
}

}  // namespace tt
