// DynamoDbStore: competitions, and the store-wide bound on their length that lets lists and the
// feed start reading near `from` instead of at the beginning of time.
#include <algorithm>
#include <boost/json/array.hpp>
#include <utility>

#include "domain/case_folding.h"
#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

namespace json = boost::json;
using dynamodb::Expression;
using dynamodb::Reply;

namespace {

constexpr char kNoSuchCompetition[] = "no such competition";
constexpr char kEventsOutside[] = "an event at this competition would fall outside the new dates";
// UpdateCompetition starts over when events were written at the competition while it checked
// them; more rounds than this mean a stream of writers, answered as contention.
constexpr int kMaxUpdateRounds = 5;

// One end of the key range of the competition list: every stored key ("YYYY-MM-DD#id") sorts
// after "0", and "<date>$" after every key of that date ('$' follows '#').
constexpr char kBeforeEveryKey[] = "0";
constexpr char kLastDay[] = "9999-12-31";

int64_t SpanDays(const Competition& competition) {
  return competition.end_date.DaysSinceEpoch() - competition.start_date.DaysSinceEpoch();
}

}  // namespace

Async<Result<int64_t>> DynamoDbStore::MaxCompetitionSpan() {
  Result<std::optional<Item>> meta = co_await GetItem(dynamodb::MetaKey());
  if (!meta.ok()) co_return std::move(meta).error();
  if (!meta->has_value()) co_return int64_t{0};
  const json::value* days = (*meta)->if_contains("max_competition_days");
  const json::value* text =
      days != nullptr && days->is_object() ? days->get_object().if_contains("N") : nullptr;
  if (text == nullptr || !text->is_string()) co_return int64_t{0};
  co_return static_cast<int64_t>(std::stoll(std::string(text->get_string())));
}

Async<Status> DynamoDbStore::RecordCompetitionSpan(int64_t days) {
  // The bound only grows, so a value this instance has seen stored still holds.
  if (known_span_.load() >= days) co_return Status::Ok();
  Expression expression;
  Item request{{"Key", dynamodb::MetaKey()}};
  const std::string max = expression.Name("max_competition_days");
  const std::string value = expression.Value(dynamodb::N(days));
  request["UpdateExpression"] = "SET " + max + " = " + value + ", " + expression.Name("type") +
                                " = " + expression.Value(dynamodb::S("meta"));
  request["ConditionExpression"] = "attribute_not_exists(" + max + ") OR " + max + " < " + value;
  expression.AddTo(request);
  Result<Reply> raised = co_await Call("UpdateItem", std::move(request));
  if (!raised.ok()) co_return std::move(raised).error();
  // Raised, or already at least `days` (the condition failed).
  int64_t known = known_span_.load();
  while (known < days && !known_span_.compare_exchange_weak(known, days)) {
  }
  co_return Status::Ok();
}

Async<Status> DynamoDbStore::CreateCompetition(const Competition& competition) {
  if (competition.created_by.has_value()) {
    Result<std::optional<Item>> creator =
        co_await GetItem(dynamodb::UserKey(*competition.created_by));
    if (!creator.ok()) co_return std::move(creator).error();
    if (!creator->has_value()) co_return Error::NotFound("no such user (created_by)");
  }
  // Before the competition exists, so that no reader ever sees it with a bound too small.
  if (Status status = co_await RecordCompetitionSpan(SpanDays(competition)); !status.ok()) {
    co_return status;
  }
  Item put_competition{{"Item", dynamodb::CompetitionItem(competition)},
                       {"ConditionExpression", "attribute_not_exists(pk)"}};
  Result<Reply> created = co_await Call("PutItem", std::move(put_competition));
  if (!created.ok()) co_return std::move(created).error();
  if (ConditionFailed(*created)) {
    co_return Error::Conflict("a competition with this id already exists");
  }
  co_return co_await AppendChange(ChangeType::kCompetitionCreated,
                                  change_encoder_->Competition(competition));
}

Async<Result<Competition>> DynamoDbStore::GetCompetition(std::string_view id) {
  Result<std::optional<Item>> item = co_await GetItem(dynamodb::CompetitionKey(id));
  if (!item.ok()) co_return std::move(item).error();
  if (!item->has_value()) co_return Error::NotFound(kNoSuchCompetition);
  co_return dynamodb::ReadCompetition(**item, logger_);
}

Async<Result<std::vector<Competition>>> DynamoDbStore::GetCompetitions(
    std::span<const std::string> ids) {
  std::vector<Item> keys;
  keys.reserve(ids.size());
  for (const std::string& id : ids) keys.push_back(dynamodb::CompetitionKey(id));
  Result<std::vector<Item>> items = co_await BatchGet(std::move(keys), /*consistent=*/true);
  if (!items.ok()) co_return std::move(items).error();
  std::vector<Competition> competitions;
  competitions.reserve(items->size());
  for (const Item& item : *items) {
    Result<Competition> competition = dynamodb::ReadCompetition(item, logger_);
    if (!competition.ok()) co_return std::move(competition).error();
    competitions.push_back(std::move(*competition));
  }
  co_return competitions;
}

// Reads the competition, checks that no event falls outside the new dates, then writes on
// condition that neither its version nor its event_writes count moved: an event written
// meanwhile (CreateEvent/UpdateEvent bump the count after writing) makes it check again, so an
// event can never end up outside its competition's dates.
Async<Status> DynamoDbStore::UpdateCompetition(const Competition& competition,
                                               int64_t expected_version) {
  const Item fields = dynamodb::CompetitionItem(competition);
  const std::vector<std::string_view> updated_attributes = dynamodb::CompetitionUpdatedAttributes();
  for (int round = 0; round < kMaxUpdateRounds; ++round) {
    Result<std::optional<Item>> stored = co_await GetItem(dynamodb::CompetitionKey(competition.id));
    if (!stored.ok()) co_return std::move(stored).error();
    if (!stored->has_value()) co_return Error::NotFound(kNoSuchCompetition);
    Result<Competition> current = dynamodb::ReadCompetition(**stored, logger_);
    if (!current.ok()) co_return std::move(current).error();
    if (current->version != expected_version) co_return Error::PreconditionFailed();
    const json::value* writes = (*stored)->if_contains("event_writes");
    if (writes == nullptr) {
      logger_.Error("dynamodb: competition " + competition.id + " lacks event_writes");
      co_return Error::Internal();
    }

    // Two index ranges, each stopping at its first item: events before the new start, and
    // after the new end ("<end>$" follows every key of that day).
    bool outside = false;
    const std::function<Async<Status>(size_t)> probe = [&](size_t side) -> Async<Status> {
      Expression expression;
      Item request{{"IndexName", dynamodb::kGsi2}, {"Limit", 1}};
      request["KeyConditionExpression"] =
          expression.Name(dynamodb::kGsi2Pk) + " = " +
          expression.Value(dynamodb::S(dynamodb::CompetitionEventsPk(competition.id))) + " AND " +
          expression.Name(dynamodb::kGsi2Sk) +
          (side == 0
               ? " < " + expression.Value(dynamodb::S(competition.start_date.ToString()))
               : " > " + expression.Value(dynamodb::S(competition.end_date.ToString() + "$")));
      expression.AddTo(request);
      Result<std::vector<Item>> found = co_await QueryUpTo(std::move(request), 1);
      if (!found.ok()) co_return std::move(found).error();
      if (!found->empty()) outside = true;
      co_return Status::Ok();
    };
    if (Status status = co_await ForEachConcurrently(2, probe); !status.ok()) co_return status;
    if (outside) co_return Error::Conflict(kEventsOutside);

    if (Status status = co_await RecordCompetitionSpan(SpanDays(competition)); !status.ok()) {
      co_return status;
    }
    // id, created_by and created_at stay as stored.
    Expression expression;
    Item request{{"Key", dynamodb::CompetitionKey(competition.id)}};
    request["UpdateExpression"] = expression.SetFrom(fields, updated_attributes);
    request["ConditionExpression"] = expression.Name("version") + " = " +
                                     expression.Value(dynamodb::N(expected_version)) + " AND " +
                                     expression.Name("event_writes") + " = " +
                                     expression.Value(json::object(writes->as_object()));
    expression.AddTo(request);
    Result<Reply> updated = co_await Call("UpdateItem", std::move(request));
    if (!updated.ok()) co_return std::move(updated).error();
    if (!ConditionFailed(*updated)) {
      co_return co_await AppendChange(ChangeType::kCompetitionUpdated,
                                      change_encoder_->Competition(competition));
    }
    // Another writer won (the next round tells which), or an event was written: check again.
  }
  logger_.Warn("dynamodb: competition " + competition.id + " kept changing during an update");
  co_return Error::Unavailable("the competition is being changed, try again");
}

// The commit point is the conditional delete of the competition; its events are deleted after
// (readers drop events whose competition is gone).
Async<Status> DynamoDbStore::DeleteCompetition(std::string_view id,
                                               std::optional<int64_t> expected_version) {
  Result<Reply> deleted =
      co_await DeleteVersioned(dynamodb::CompetitionKey(id), expected_version, kNoSuchCompetition);
  if (!deleted.ok()) co_return std::move(deleted).error();
  if (Status status =
          co_await AppendChange(ChangeType::kCompetitionDeleted, change_encoder_->Deleted(id));
      !status.ok()) {
    co_return status;
  }

  co_return co_await DeleteIndexPartition(dynamodb::kGsi2, dynamodb::CompetitionEventsPk(id));
}

// One Query of the list partition of index gsi1 (sort key "<start_date>#<id>"), from the later
// of the cursor and `from` minus the longest competition span, up to `to`; the overlap with
// `from` and the text are filters, so the walk reads on until limit + 1 items pass them.
Async<Result<Page<Competition>>> DynamoDbStore::ListCompetitions(const CompetitionQuery& query) {
  int64_t span = 0;
  if (query.from.has_value()) {
    Result<int64_t> stored = co_await MaxCompetitionSpan();
    if (!stored.ok()) co_return std::move(stored).error();
    span = *stored;
  }
  co_return co_await ListCompetitionsWithSpan(query, span);
}

Async<Result<Page<Competition>>> DynamoDbStore::ListCompetitionsWithSpan(
    const CompetitionQuery& query, int64_t span) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  const std::string after = query.after.has_value() ? dynamodb::CompetitionListKey(
                                                          query.after->start_date, query.after->id)
                                                    : std::string();
  std::string low = query.after.has_value() ? after : std::string(kBeforeEveryKey);
  if (query.from.has_value()) {
    const int64_t first_day = Date::Parse("0001-01-01")->DaysSinceEpoch();
    const int64_t earliest_start = query.from->DaysSinceEpoch() - span;
    if (earliest_start > first_day) {
      low = std::max(low, Date::FromDaysSinceEpoch(earliest_start).ToString());
    }
  }
  const std::string high = (query.to.has_value() ? query.to->ToString() : kLastDay) + "$";
  if (low > high) co_return Page<Competition>();

  Expression expression;
  Item request{{"IndexName", dynamodb::kGsi1}};
  request["KeyConditionExpression"] = expression.Name(dynamodb::kGsi1Pk) + " = " +
                                      expression.Value(dynamodb::S(dynamodb::kCompetitionList)) +
                                      " AND " + expression.Name(dynamodb::kGsi1Sk) + " BETWEEN " +
                                      expression.Value(dynamodb::S(low)) + " AND " +
                                      expression.Value(dynamodb::S(high));
  std::vector<std::string> filters;
  if (query.from.has_value()) {
    filters.push_back(expression.Name("end_date") +
                      " >= " + expression.Value(dynamodb::S(query.from->ToString())));
  }
  if (query.text.has_value() && !query.text->empty()) {
    // contains() compares bytes: a substring of the folded texts, wildcards included literally.
    const std::string text = expression.Value(dynamodb::S(FoldCase(*query.text)));
    filters.push_back("(contains(" + expression.Name("name_key") + ", " + text + ") OR contains(" +
                      expression.Name("location_key") + ", " + text + "))");
  }
  std::string filter;
  for (const std::string& condition : filters) {
    filter += (filter.empty() ? "" : " AND ") + condition;
  }
  if (!filter.empty()) request["FilterExpression"] = filter;
  // Without filters, the page and the item after it (and the cursor's own item, which BETWEEN
  // includes); with them, larger reads so that a selective filter needs fewer round trips.
  request["Limit"] = filters.empty() ? limit + 2 : std::max<size_t>(limit + 2, 100);
  expression.AddTo(request);

  Result<std::vector<Item>> items =
      co_await QueryUpTo(std::move(request), limit + 1, [&](const Item& item) {
        return after.empty() || dynamodb::StringOf(item, dynamodb::kGsi1Sk) != after;
      });
  if (!items.ok()) co_return std::move(items).error();
  co_return dynamodb::ReadPage(std::move(*items), limit, &dynamodb::ReadCompetition, logger_);
}

}  // namespace tt
