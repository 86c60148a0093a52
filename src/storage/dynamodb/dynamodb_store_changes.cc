// DynamoDbStore: the change log. docs/DYNAMODB.md ("Change log") explains the protocol.
//
// Records live in partition "changes", sort key the id zero-padded to 19 digits. An id is
// reserved by an atomic ADD on the meta item's `change_seq`, then the record is put under it on
// condition that the id is still free. Ids are reserved in one order but their records may land
// in another, and a writer may die between the two calls; so a reader returns only a run of ids
// without a hole. A hole stays a hole while a writer may still fill it: once the record after it
// is older than kHoleWait (its id was reserved after the hole's, so the hole's writer has had
// longer), the reader closes the hole with a tombstone, put on the same condition, so exactly one
// of the late writer and the reader wins; a writer that loses reserves another id. Readers skip
// tombstones.
#include <algorithm>
#include <cstdio>
#include <utility>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

namespace json = boost::json;
using dynamodb::Expression;
using dynamodb::Reply;

namespace {

constexpr char kChangesPk[] = "changes";
// How long after reserving an id a writer may still put its record: longer than a PutItem takes
// through the client's retries.
constexpr std::chrono::seconds kHoleWait{10};
constexpr int kMaxAppendAttempts = 5;
// Times a read starts again because a hole it was closing was filled meanwhile, before it
// answers kUnavailable.
constexpr int kMaxListRounds = 3;
// Records a retention pass deletes per BatchWriteItem round.
constexpr size_t kDeleteChunk = 1000;

std::string ChangeSk(int64_t id) {
  char text[24];
  std::snprintf(text, sizeof text, "%019lld", static_cast<long long>(id));
  return text;
}

json::object ChangeKey(int64_t id) { return dynamodb::Key(kChangesPk, ChangeSk(id)); }

// A non-negative integer attribute (an id, a time in microseconds).
std::optional<int64_t> NumberOf(const json::object& item, std::string_view name) {
  const json::value* value = dynamodb::TypedValue(item, name, "N");
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return ParseChangeId(value->get_string());
}

// The record's id, from its zero-padded sort key.
std::optional<int64_t> IdOf(const json::object& item) {
  std::string_view sk = dynamodb::StringOf(item, dynamodb::kSk);
  while (sk.size() > 1 && sk.front() == '0') sk.remove_prefix(1);
  return ParseChangeId(sk);
}

Timestamp MicrosToTime(int64_t micros) { return Timestamp(std::chrono::microseconds(micros)); }

}  // namespace

Async<Status> DynamoDbStore::AppendChange(ChangeType type, std::string data) {
  for (int attempt = 0; attempt < kMaxAppendAttempts; ++attempt) {
    Expression expression;
    Item reserve{{"Key", dynamodb::MetaKey()}, {"ReturnValues", "UPDATED_NEW"}};
    reserve["UpdateExpression"] =
        "ADD " + expression.Name("change_seq") + " " + expression.Value(dynamodb::N(1)) + " SET " +
        expression.Name("type") + " = " + expression.Value(dynamodb::S("meta"));
    expression.AddTo(reserve);
    Result<Reply> reserved = co_await Call("UpdateItem", std::move(reserve));
    if (!reserved.ok()) co_return std::move(reserved).error();
    const json::value* attributes = reserved->body.if_contains("Attributes");
    std::optional<int64_t> id = attributes != nullptr && attributes->is_object()
                                    ? NumberOf(attributes->get_object(), "change_seq")
                                    : std::nullopt;
    if (!id.has_value()) {
      logger_.Error("dynamodb: reserving a change id returned no change_seq");
      co_return Error::Internal();
    }
    const Timestamp now = clock_.Now();
    Item record = ChangeKey(*id);
    record["type"] = dynamodb::S("change");
    record["change_type"] = dynamodb::S(ChangeTypeName(type));
    record["occurred_at"] = dynamodb::N(now.time_since_epoch().count());
    record["data"] = dynamodb::S(data);
    Item put{{"Item", std::move(record)}, {"ConditionExpression", "attribute_not_exists(pk)"}};
    Result<Reply> written = co_await Call("PutItem", std::move(put));
    if (!written.ok()) co_return std::move(written).error();
    if (!ConditionFailed(*written)) co_return Status::Ok();
    // A reader waited kHoleWait for this id and closed it: take another.
    logger_.Warn("dynamodb: change id " + std::to_string(*id) +
                 " was closed before its record was written; reserving another");
  }
  co_return Error::Unavailable("the change log is busy, try again");
}

Async<Result<int64_t>> DynamoDbStore::ChangesPrunedThrough() {
  Result<std::optional<Item>> meta = co_await GetItem(dynamodb::MetaKey());
  if (!meta.ok()) co_return std::move(meta).error();
  if (!meta->has_value()) co_return int64_t{0};
  co_return NumberOf(**meta, "changes_pruned_through").value_or(0);
}

Async<Result<Page<Change>>> DynamoDbStore::ListChanges(const ChangeQuery& query) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  // Ids up to the retention watermark may be missing for good: they are not holes to wait for.
  Result<int64_t> pruned = co_await ChangesPrunedThrough();
  if (!pruned.ok()) co_return std::move(pruned).error();
  const int64_t start = std::max(query.after, *pruned);

  Page<Change> page;
  for (int round = 0; round < kMaxListRounds; ++round) {
    page = Page<Change>();
    int64_t next = start + 1;
    std::vector<Item> items;
    size_t live = 0;  // records read that are not tombstones
    Expression expression;
    Item request{{"ConsistentRead", true}};
    request["KeyConditionExpression"] = expression.Name(dynamodb::kPk) + " = " +
                                        expression.Value(dynamodb::S(kChangesPk)) + " AND " +
                                        expression.Name(dynamodb::kSk) + " > " +
                                        expression.Value(dynamodb::S(ChangeSk(start)));
    request["Limit"] = limit + 1;
    expression.AddTo(request);
    Status read = co_await QueryWhile(std::move(request), [&](const Item& item) {
      if (!item.contains("tombstone")) ++live;
      items.push_back(item);
      return live <= limit;
    });
    if (!read.ok()) co_return std::move(read).error();

    bool filled_under_us = false;
    bool stopped_at_hole = false;
    const Timestamp now = clock_.Now();
    for (const Item& item : items) {
      const std::optional<int64_t> id = IdOf(item);
      if (!id.has_value()) {
        logger_.Error("dynamodb: malformed change record key");
        co_return Error::Internal();
      }
      // Ids next .. *id - 1 are holes: reserved, their records not (yet) written.
      if (*id > next) {
        const std::optional<int64_t> occurred = NumberOf(item, "occurred_at");
        if (!occurred.has_value() || now - MicrosToTime(*occurred) < kHoleWait) {
          stopped_at_hole = true;
          break;
        }
        for (; next < *id && !filled_under_us; ++next) {
          Item tombstone = ChangeKey(next);
          tombstone["type"] = dynamodb::S("change");
          tombstone["tombstone"] = dynamodb::Bool(true);
          tombstone["occurred_at"] = dynamodb::N(now.time_since_epoch().count());
          Item put{{"Item", std::move(tombstone)},
                   {"ConditionExpression", "attribute_not_exists(pk)"}};
          Result<Reply> closed = co_await Call("PutItem", std::move(put));
          if (!closed.ok()) co_return std::move(closed).error();
          filled_under_us = ConditionFailed(*closed);
        }
        if (filled_under_us) break;
      }
      next = *id + 1;
      if (item.contains("tombstone")) continue;
      if (page.items.size() == limit) {
        page.has_more = true;
        break;
      }
      Change change;
      change.id = *id;
      const std::optional<ChangeType> type =
          ParseChangeType(dynamodb::StringOf(item, "change_type"));
      const std::optional<int64_t> occurred = NumberOf(item, "occurred_at");
      if (!type.has_value() || !occurred.has_value() || !item.contains("data")) {
        logger_.Error("dynamodb: malformed change record " + std::to_string(*id));
        co_return Error::Internal();
      }
      change.type = *type;
      change.occurred_at = MicrosToTime(*occurred);
      change.data = std::string(dynamodb::StringOf(item, "data"));
      page.items.push_back(std::move(change));
    }
    // A late writer filled a hole this read was closing: read again so as not to skip it.
    if (!filled_under_us) {
      if (stopped_at_hole) page.has_more = false;
      co_return page;
    }
  }
  // Late writers kept filling the holes this read was closing.
  co_return Error::Unavailable("the change log is busy, try again");
}

Async<Result<int64_t>> DynamoDbStore::DeleteChangesBefore(Timestamp before) {
  const int64_t cutoff = before.time_since_epoch().count();
  int64_t deleted = 0;
  while (true) {
    std::vector<Item> keys;
    int64_t last_id = 0;
    Expression expression;
    Item request{{"ConsistentRead", true}};
    request["KeyConditionExpression"] =
        expression.Name(dynamodb::kPk) + " = " + expression.Value(dynamodb::S(kChangesPk));
    request["Limit"] = kDeleteChunk;
    expression.AddTo(request);
    // Oldest first; the first record at or after the cutoff ends the pass (records are put in
    // about time order: a few late ones wait for the next pass).
    Status read = co_await QueryWhile(std::move(request), [&](const Item& item) {
      const std::optional<int64_t> occurred = NumberOf(item, "occurred_at");
      const std::optional<int64_t> id = IdOf(item);
      if (!occurred.has_value() || !id.has_value() || *occurred >= cutoff) return false;
      keys.push_back(dynamodb::Key(kChangesPk, dynamodb::StringOf(item, dynamodb::kSk)));
      last_id = *id;
      return keys.size() < kDeleteChunk;
    });
    if (!read.ok()) co_return std::move(read).error();
    if (keys.empty()) co_return deleted;
    // The watermark first, so that no reader takes the ids about to go for holes.
    Expression expression_meta;
    Item raise{{"Key", dynamodb::MetaKey()}};
    const std::string name = expression_meta.Name("changes_pruned_through");
    const std::string value = expression_meta.Value(dynamodb::N(last_id));
    raise["UpdateExpression"] = "SET " + name + " = " + value;
    raise["ConditionExpression"] = "attribute_not_exists(" + name + ") OR " + name + " < " + value;
    expression_meta.AddTo(raise);
    Result<Reply> raised = co_await Call("UpdateItem", std::move(raise));
    if (!raised.ok()) co_return std::move(raised).error();
    const size_t count = keys.size();
    if (Status status = co_await BatchDelete(std::move(keys)); !status.ok()) {
      co_return std::move(status).error();
    }
    deleted += static_cast<int64_t>(count);
    if (count < kDeleteChunk) co_return deleted;
  }
}

}  // namespace tt
