// DynamoDbStore: calendar feed tokens.
//
// A token is an item `calendar_token#<hash>` naming its user, and the user item names its
// current token in `calendar_token_hash`. A token counts only while both agree, so the user
// item's conditional update is the one commit point of a rotation or revocation: the old token
// stops working there, and a token item left behind by a crash (or by a deleted user) is never
// accepted. Token items are deleted after the commit point, which only tidies.
#include <utility>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

namespace json = boost::json;
using dynamodb::Expression;
using dynamodb::Reply;

namespace {

constexpr char kNoSuchUser[] = "no such user";
constexpr char kNoSuchToken[] = "no such calendar token";
constexpr std::string_view kTokenHashAttribute = "calendar_token_hash";

dynamodb::Item CalendarTokenKey(std::string_view token_hash) {
  return dynamodb::Key("calendar_token#" + std::string(token_hash), "calendar_token");
}

// The user's token hash among the attributes a write returned, or "".
std::string_view OldTokenHash(const Reply& reply) {
  const json::value* old = reply.body.if_contains("Attributes");
  if (old == nullptr || !old->is_object()) return {};
  return dynamodb::StringOf(old->get_object(), kTokenHashAttribute);
}

}  // namespace

Async<Status> DynamoDbStore::DeleteCalendarTokenItem(std::string_view token_hash) {
  if (token_hash.empty()) co_return Status::Ok();
  Item request{{"Key", CalendarTokenKey(token_hash)}};
  Result<Reply> deleted = co_await Call("DeleteItem", std::move(request));
  if (!deleted.ok()) co_return std::move(deleted).error();
  co_return Status::Ok();
}

Async<Status> DynamoDbStore::SetCalendarToken(std::string_view user_id, std::string_view token_hash,
                                              Timestamp at) {
  Item token = CalendarTokenKey(token_hash);
  token["user_id"] = dynamodb::S(user_id);
  token["created_at"] = dynamodb::S(FormatUtc(at));
  // Setting the user's token again is harmless; another user's is a conflict.
  Expression condition;
  Item put{{"Item", std::move(token)}};
  put["ConditionExpression"] = "attribute_not_exists(" + condition.Name(dynamodb::kPk) + ") OR " +
                               condition.Name("user_id") + " = " +
                               condition.Value(dynamodb::S(user_id));
  condition.AddTo(put);
  Result<Reply> created = co_await Call("PutItem", std::move(put));
  if (!created.ok()) co_return std::move(created).error();
  if (ConditionFailed(*created))
    co_return Error::Conflict("a calendar token with this hash exists");

  // The commit point: from here the user's feed answers to the new token only.
  Expression expression;
  Item update{{"Key", dynamodb::UserKey(user_id)}, {"ReturnValues", "UPDATED_OLD"}};
  update["UpdateExpression"] = "SET " + expression.Name(kTokenHashAttribute) + " = " +
                               expression.Value(dynamodb::S(token_hash));
  update["ConditionExpression"] = "attribute_exists(" + expression.Name(dynamodb::kPk) + ")";
  expression.AddTo(update);
  Result<Reply> updated = co_await Call("UpdateItem", std::move(update));
  if (!updated.ok()) co_return std::move(updated).error();
  if (ConditionFailed(*updated)) {
    if (Status undone = co_await DeleteCalendarTokenItem(token_hash); !undone.ok()) {
      co_return undone;
    }
    co_return Error::NotFound(kNoSuchUser);
  }
  const std::string old_hash(OldTokenHash(*updated));
  if (old_hash == token_hash) co_return Status::Ok();
  co_return co_await DeleteCalendarTokenItem(old_hash);
}

Async<Status> DynamoDbStore::DeleteCalendarToken(std::string_view user_id) {
  Expression expression;
  Item update{{"Key", dynamodb::UserKey(user_id)}, {"ReturnValues", "UPDATED_OLD"}};
  update["UpdateExpression"] = "REMOVE " + expression.Name(kTokenHashAttribute);
  update["ConditionExpression"] = "attribute_exists(" + expression.Name(dynamodb::kPk) + ")";
  expression.AddTo(update);
  Result<Reply> updated = co_await Call("UpdateItem", std::move(update));
  if (!updated.ok()) co_return std::move(updated).error();
  if (ConditionFailed(*updated)) co_return Error::NotFound(kNoSuchUser);
  co_return co_await DeleteCalendarTokenItem(std::string(OldTokenHash(*updated)));
}

Async<Result<User>> DynamoDbStore::FindCalendarTokenUser(std::string_view token_hash) {
  Result<std::optional<Item>> token = co_await GetItem(CalendarTokenKey(token_hash));
  if (!token.ok()) co_return std::move(token).error();
  if (!token->has_value()) co_return Error::NotFound(kNoSuchToken);
  Result<Profile> profile = co_await ReadProfile(dynamodb::StringOf(**token, "user_id"));
  if (!profile.ok()) co_return std::move(profile).error();
  // Rotated, revoked, or its user deleted: the user item no longer names this token.
  if (!profile->user.has_value() ||
      dynamodb::StringOf(*profile->user, kTokenHashAttribute) != token_hash) {
    co_return Error::NotFound(kNoSuchToken);
  }
  co_return dynamodb::ReadUser(*profile->user, profile->athlete.has_value(), logger_);
}

}  // namespace tt
