// DynamoDbStore: the change log. docs/DYNAMODB.md ("Change log") explains the protocol.
//
// Records live in partition "changes" in id order (dynamodb::ChangeKey; item_codec.h lays them
// out). An id is reserved by an atomic ADD on the meta item's `change_seq`, then the record is put
// under it on condition that the id is still free. Ids are reserved in one order but their
// records may land in another, and a writer may die between the two calls; so a reader returns
// only a run of ids without a hole. A hole stays a hole while a writer may still fill it: once the
// record after it is older than kHoleWait (its id was reserved after the hole's, so the hole's
// writer has had longer), the reader closes the hole with a tombstone, put on the same condition,
// so exactly one of the late writer and the reader wins; a writer that loses reserves another id.
// Readers skip tombstones.
#include <algorithm>
#include <utility>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

namespace json = boost::json;
using dynamodb::Expression;
using dynamodb::Reply;

namespace {

// How long after reserving an id a writer may still put its record: longer than a PutItem takes
// through the client's retries.
constexpr std::chrono::seconds kHoleWait{10};
constexpr int kMaxAppendAttempts = 5;
// Times a read starts again because a hole it was closing was filled meanwhile, before it
// answers kUnavailable.
constexpr int kMaxListRounds = 3;
// Records a retention pass deletes per BatchWriteItem round.
constexpr size_t kDeleteChunk = 1000;

// A change id kept as a number attribute (the meta item's change_seq, changes_pruned_through).
std::optional<int64_t> ChangeIdAttribute(const json::object& item, std::string_view name) {
  const json::value* value = dynamodb::TypedValue(item, name, "N");
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return ParseChangeId(value->get_string());
}

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
                                    ? ChangeIdAttribute(attributes->get_object(), "change_seq")
                                    : std::nullopt;
    if (!id.has_value()) {
      logger_.Error("dynamodb: reserving a change id returned no change_seq");
      co_return Error::Internal();
    }
    const Change change{*id, type, clock_.Now(), data};
    Item put{{"Item", dynamodb::ChangeItem(change)},
             {"ConditionExpression", "attribute_not_exists(pk)"}};
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
  co_return ChangeIdAttribute(**meta, "changes_pruned_through").value_or(0);
}

Async<Result<Page<Change>>> DynamoDbStore::ListChanges(const ChangeQuery& query) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  // Ids up to the retention watermark may be missing for good: they are not holes to wait for.
  Result<int64_t> pruned = co_await ChangesPrunedThrough();
  if (!pruned.ok()) co_return std::move(pruned).error();
  const int64_t start = std::max(query.after, *pruned);

  for (int round = 0; round < kMaxListRounds; ++round) {
    Page<Change> page;
    int64_t next = start + 1;
    std::vector<Item> items;
    size_t live = 0;  // records read that are not tombstones
    Expression expression;
    Item request{{"ConsistentRead", true}};
    request["KeyConditionExpression"] =
        expression.Name(dynamodb::kPk) + " = " +
        expression.Value(dynamodb::S(dynamodb::kChangesPk)) + " AND " +
        expression.Name(dynamodb::kSk) + " > " +
        expression.Value(dynamodb::S(dynamodb::ChangeSortKey(start)));
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
      Result<dynamodb::ChangeSlot> slot = dynamodb::ReadChangeSlot(item, logger_);
      if (!slot.ok()) co_return std::move(slot).error();
      // Ids next .. slot->id - 1 are holes: reserved, their records not (yet) written.
      if (slot->id > next) {
        if (now - slot->occurred_at < kHoleWait) {
          stopped_at_hole = true;
          break;
        }
        for (; next < slot->id && !filled_under_us; ++next) {
          Item put{{"Item", dynamodb::ChangeTombstoneItem(next, now)},
                   {"ConditionExpression", "attribute_not_exists(pk)"}};
          Result<Reply> closed = co_await Call("PutItem", std::move(put));
          if (!closed.ok()) co_return std::move(closed).error();
          filled_under_us = ConditionFailed(*closed);
        }
        if (filled_under_us) break;
      }
      next = slot->id + 1;
      if (slot->tombstone) continue;
      if (page.items.size() == limit) {
        page.has_more = true;
        break;
      }
      Result<Change> change = dynamodb::ReadChange(item, logger_);
      if (!change.ok()) co_return std::move(change).error();
      page.items.push_back(std::move(*change));
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
  int64_t deleted = 0;
  while (true) {
    std::vector<Item> keys;
    int64_t last_id = 0;
    Expression expression;
    Item request{{"ConsistentRead", true}};
    request["KeyConditionExpression"] = expression.Name(dynamodb::kPk) + " = " +
                                        expression.Value(dynamodb::S(dynamodb::kChangesPk));
    request["Limit"] = kDeleteChunk;
    expression.AddTo(request);
    // Oldest first; the first record at or after the cutoff ends the pass (records are put in
    // about time order: a few late ones wait for the next pass). A malformed record fails the
    // pass, logged, rather than silently ending every pass there.
    Status malformed = Status::Ok();
    Status read = co_await QueryWhile(std::move(request), [&](const Item& item) {
      Result<dynamodb::ChangeSlot> slot = dynamodb::ReadChangeSlot(item, logger_);
      if (!slot.ok()) {
        malformed = std::move(slot).error();
        return false;
      }
      if (slot->occurred_at >= before) return false;
      keys.push_back(dynamodb::ChangeKey(slot->id));
      last_id = slot->id;
      return keys.size() < kDeleteChunk;
    });
    if (!read.ok()) co_return std::move(read).error();
    if (!malformed.ok()) co_return std::move(malformed).error();
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
