// DynamoDbStore: sessions and sign-in throttling.
#include <utility>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

using dynamodb::Expression;
using dynamodb::Reply;

namespace {

constexpr char kNoSuchUser[] = "no such user";

}  // namespace

Async<Status> DynamoDbStore::CreateSession(const Session& session) {
  Result<std::optional<Item>> user = co_await GetItem(dynamodb::UserKey(session.user_id));
  if (!user.ok()) co_return std::move(user).error();
  if (!user->has_value()) co_return Error::NotFound(kNoSuchUser);
  // Stamped with the user's current epoch: if the password changes between the read and this
  // write, the session is born invalid, which is right, as it was opened with the old password.
  // Expired sessions are left to TTL (and are never accepted: the caller checks expires_at).
  Item put_session{{"Item", dynamodb::SessionItem(session, dynamodb::ReadSessionEpoch(**user))},
                   {"ConditionExpression", "attribute_not_exists(pk)"}};
  Result<Reply> created = co_await Call("PutItem", std::move(put_session));
  if (!created.ok()) co_return std::move(created).error();
  if (ConditionFailed(*created)) co_return Error::Conflict("a session with this token exists");
  co_return Status::Ok();
}

Async<Result<std::pair<Session, User>>> DynamoDbStore::FindSession(std::string_view token_hash) {
  Result<std::optional<Item>> found = co_await GetItem(dynamodb::SessionKey(token_hash));
  if (!found.ok()) co_return std::move(found).error();
  if (!found->has_value()) co_return Error::NotFound("no such session");
  Result<Session> session = dynamodb::ReadSession(**found, logger_);
  if (!session.ok()) co_return std::move(session).error();
  Result<Profile> profile = co_await ReadProfile(session->user_id);
  if (!profile.ok()) co_return std::move(profile).error();
  // A session outlives neither its user nor a password change.
  if (!profile->user.has_value() ||
      dynamodb::ReadSessionEpoch(*profile->user) != dynamodb::ReadSessionEpoch(**found)) {
    co_return Error::NotFound("no such session");
  }
  Result<User> user = dynamodb::ReadUser(*profile->user, profile->athlete.has_value(), logger_);
  if (!user.ok()) co_return std::move(user).error();
  co_return std::pair<Session, User>(std::move(*session), std::move(*user));
}

Async<Status> DynamoDbStore::DeleteSession(std::string_view token_hash) {
  Item delete_session{{"Key", dynamodb::SessionKey(token_hash)}};
  Result<Reply> deleted = co_await Call("DeleteItem", std::move(delete_session));
  if (!deleted.ok()) co_return std::move(deleted).error();
  co_return Status::Ok();
}

// One item per failure, so that concurrent failures never contend for one item; the sort key
// ends with a nonce unique to this store instance and call, as two failures may share a time.
// Old failures are left to TTL: readers only ever ask for a recent range.
Async<Status> DynamoDbStore::RecordSignInFailure(std::string_view username_key, Timestamp at) {
  const std::string unique = nonce_prefix_ + "-" + std::to_string(nonce_counter_.fetch_add(1));
  Item put_failure{{"Item", dynamodb::SignInFailureItem(username_key, at, unique)}};
  Result<Reply> put = co_await Call("PutItem", std::move(put_failure));
  if (!put.ok()) co_return std::move(put).error();
  co_return Status::Ok();
}

Async<Result<std::vector<Timestamp>>> DynamoDbStore::SignInFailuresSince(
    std::string_view username_key, Timestamp since) {
  Expression expression;
  Item request{{"ConsistentRead", true}};
  request["KeyConditionExpression"] =
      expression.Name(dynamodb::kPk) + " = " +
      expression.Value(dynamodb::S(dynamodb::SignInFailuresPk(username_key))) + " AND " +
      expression.Name(dynamodb::kSk) +
      " >= " + expression.Value(dynamodb::S(dynamodb::SortableInstant(since)));
  expression.AddTo(request);
  Result<std::vector<Item>> items = co_await QueryAll(std::move(request));
  if (!items.ok()) co_return std::move(items).error();
  std::vector<Timestamp> failures;
  failures.reserve(items->size());
  for (const Item& item : *items) {
    Result<Timestamp> at = dynamodb::ReadSignInFailure(item, logger_);
    if (!at.ok()) co_return std::move(at).error();
    failures.push_back(*at);
  }
  co_return failures;  // the sort key starts with the time: oldest first
}

Async<Status> DynamoDbStore::ClearSignInFailures(std::string_view username_key) {
  Expression expression;
  Item request{{"ConsistentRead", true}, {"ProjectionExpression", "pk, sk"}};
  request["KeyConditionExpression"] =
      expression.Name(dynamodb::kPk) + " = " +
      expression.Value(dynamodb::S(dynamodb::SignInFailuresPk(username_key)));
  expression.AddTo(request);
  Result<std::vector<Item>> items = co_await QueryAll(std::move(request));
  if (!items.ok()) co_return std::move(items).error();
  co_return co_await BatchDelete(std::move(*items));
}

}  // namespace tt
