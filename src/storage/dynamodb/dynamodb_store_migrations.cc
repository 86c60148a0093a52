// DynamoDbStore: data migrations. When a release changes how items are keyed, the items written
// before it are rewritten once, when an instance opens the table. The meta item's `data_version`
// says which migrations have run. Each is idempotent and conditional per item, so instances that
// start together may both run one without harm, and one interrupted half way is simply run again.
#include <boost/json/array.hpp>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

namespace json = boost::json;
using dynamodb::Expression;
using dynamodb::Reply;

namespace {

// 1: a follow's gsi2sk is "<followed_at>#<user_id>" (was "<user_id>"), so that followers list
//    newest first.
// 2: a pending delivery's gsi1pk is its endpoint's due list (was one list for all), and every
//    endpoint is named in the registry item (they were listed through gsi1 only). What instances
//    of the earlier version write during a rolling upgrade, after this ran, is read from the old
//    lists too (AllWebhookEndpoints, ClaimDueDeliveries) until a later release drops them.
constexpr int64_t kDataVersion = 2;

int64_t NumberOf(const json::object& item, std::string_view name) {
  const json::value* value = item.if_contains(name);
  const json::value* text =
      value != nullptr && value->is_object() ? value->get_object().if_contains("N") : nullptr;
  if (text == nullptr || !text->is_string()) return 0;
  return std::stoll(std::string(text->get_string()));
}

}  // namespace

Async<Status> DynamoDbStore::MigrateData() {
  Result<std::optional<Item>> meta = co_await GetItem(dynamodb::MetaKey());
  if (!meta.ok()) co_return std::move(meta).error();
  const int64_t version = meta->has_value() ? NumberOf(**meta, "data_version") : 0;
  if (version >= kDataVersion) co_return Status::Ok();

  if (version < 1) {
    if (Status status = co_await RekeyFollowersByTime(); !status.ok()) co_return status;
  }
  if (version < 2) {
    if (Status status = co_await MoveWebhooksOffSharedLists(); !status.ok()) co_return status;
  }

  Expression expression;
  Item request{{"Key", dynamodb::MetaKey()}};
  const std::string data_version = expression.Name("data_version");
  const std::string value = expression.Value(dynamodb::N(kDataVersion));
  request["UpdateExpression"] = "SET " + data_version + " = " + value + ", " +
                                expression.Name("type") + " = " +
                                expression.Value(dynamodb::S("meta"));
  request["ConditionExpression"] =
      "attribute_not_exists(" + data_version + ") OR " + data_version + " < " + value;
  expression.AddTo(request);
  Result<Reply> recorded = co_await Call("UpdateItem", std::move(request));
  if (!recorded.ok()) co_return std::move(recorded).error();
  logger_.Info("dynamodb: data of table " + table_ + " at version " + std::to_string(kDataVersion));
  co_return Status::Ok();
}

// Every athlete is in gsi1's athlete list, and every follow of one in gsi2 under its followers
// key, so two Queries find them all without a Scan.
Async<Status> DynamoDbStore::RekeyFollowersByTime() {
  Result<std::vector<Item>> athletes =
      co_await QueryIndexPartition(dynamodb::kGsi1, dynamodb::kAthleteList);
  if (!athletes.ok()) co_return std::move(athletes).error();

  size_t rekeyed = 0;
  const std::function<Async<Status>(size_t)> rekey = [&](size_t i) -> Async<Status> {
    const std::string athlete_id(dynamodb::StringOf((*athletes)[i], "id"));
    Result<std::vector<Item>> follows =
        co_await QueryIndexPartition(dynamodb::kGsi2, dynamodb::FollowersPk(athlete_id));
    if (!follows.ok()) co_return std::move(follows).error();
    for (const Item& follow : *follows) {
      const std::string_view old_key = dynamodb::StringOf(follow, dynamodb::kGsi2Sk);
      if (old_key.find('#') != std::string_view::npos) continue;  // already time-keyed
      Result<dynamodb::FollowRecord> record = dynamodb::ReadFollow(follow, logger_);
      if (!record.ok()) co_return std::move(record).error();
      Expression update;
      Item rewrite{{"Key", dynamodb::FollowKey(record->user_id, record->athlete_id)}};
      const std::string sort_key = update.Name(dynamodb::kGsi2Sk);
      rewrite["UpdateExpression"] =
          "SET " + sort_key + " = " +
          update.Value(dynamodb::S(dynamodb::FollowingKey(record->followed_at, record->user_id)));
      // Not if the follow went meanwhile (the update would make a stub item) or was rewritten.
      rewrite["ConditionExpression"] = sort_key + " = " + update.Value(dynamodb::S(old_key));
      update.AddTo(rewrite);
      Result<Reply> written = co_await Call("UpdateItem", std::move(rewrite));
      if (!written.ok()) co_return std::move(written).error();
      if (!ConditionFailed(*written)) ++rekeyed;
    }
    co_return Status::Ok();
  };
  if (Status status = co_await ForEachConcurrently(athletes->size(), rekey); !status.ok()) {
    co_return status;
  }
  if (rekeyed > 0) {
    logger_.Info("dynamodb: keyed " + std::to_string(rekeyed) +
                 " follows of earlier versions by follow time");
  }
  co_return Status::Ok();
}

Async<Status> DynamoDbStore::MoveWebhooksOffSharedLists() {
  // Endpoints listed only in gsi1 join the registry (an id already there is left as it is).
  Result<std::vector<Item>> listed =
      co_await QueryIndexPartition(dynamodb::kGsi1, dynamodb::kLegacyWebhookList);
  if (!listed.ok()) co_return std::move(listed).error();
  for (const Item& endpoint : *listed) {
    const std::string_view id = dynamodb::StringOf(endpoint, "id");
    if (id.empty()) continue;
    if (Status added = co_await ChangeWebhookRegistry("ADD", id); !added.ok()) co_return added;
  }

  Result<std::vector<Item>> due =
      co_await QueryIndexPartition(dynamodb::kGsi1, dynamodb::kLegacyDueDeliveries);
  if (!due.ok()) co_return std::move(due).error();
  if (due->empty()) co_return Status::Ok();
  // Each endpoint read once, consistently (the index of endpoints may lag a creation).
  std::map<std::string, bool, std::less<>> endpoint_exists;
  for (const Item& item : *due) {
    auto [known, inserted] =
        endpoint_exists.try_emplace(std::string(dynamodb::StringOf(item, "endpoint_id")), false);
    if (!inserted) continue;
    Result<std::optional<Item>> endpoint = co_await GetItem(dynamodb::WebhookKey(known->first));
    if (!endpoint.ok()) co_return std::move(endpoint).error();
    known->second = endpoint->has_value();
  }

  std::vector<Item> orphans;
  std::vector<Item> moving;
  for (const Item& item : *due) {
    Item key = dynamodb::Key(dynamodb::StringOf(item, dynamodb::kPk),
                             dynamodb::StringOf(item, dynamodb::kSk));
    if (endpoint_exists.find(dynamodb::StringOf(item, "endpoint_id"))->second) {
      moving.push_back(item);
    } else {
      orphans.push_back(std::move(key));
    }
  }
  const std::function<Async<Status>(size_t)> move = [&](size_t i) -> Async<Status> {
    const Item& item = moving[i];
    Expression update;
    Item rewrite{{"Key", dynamodb::Key(dynamodb::StringOf(item, dynamodb::kPk),
                                       dynamodb::StringOf(item, dynamodb::kSk))}};
    const std::string partition = update.Name(dynamodb::kGsi1Pk);
    rewrite["UpdateExpression"] =
        "SET " + partition + " = " +
        update.Value(
            dynamodb::S(dynamodb::DueDeliveriesPk(dynamodb::StringOf(item, "endpoint_id"))));
    // Not if it is no longer in the old list (attempted meanwhile, or gone: the update would
    // make a stub item).
    rewrite["ConditionExpression"] =
        partition + " = " + update.Value(dynamodb::S(dynamodb::kLegacyDueDeliveries));
    update.AddTo(rewrite);
    Result<Reply> written = co_await Call("UpdateItem", std::move(rewrite));
    if (!written.ok()) co_return std::move(written).error();
    co_return Status::Ok();
  };
  if (Status status = co_await ForEachConcurrently(moving.size(), move); !status.ok()) {
    co_return status;
  }
  if (Status status = co_await BatchDelete(std::move(orphans)); !status.ok()) co_return status;
  logger_.Info("dynamodb: moved " + std::to_string(moving.size()) +
               " pending webhook deliveries to their endpoint's due list");
  co_return Status::Ok();
}

}  // namespace tt
