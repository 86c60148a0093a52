// DynamoDbStore: events (athletes' calendars).
#include <algorithm>
#include <boost/json/array.hpp>
#include <iterator>
#include <map>
#include <utility>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

namespace json = boost::json;
using dynamodb::Expression;
using dynamodb::Reply;

namespace {

constexpr char kNoSuchEvent[] = "no such event";
constexpr char kNoSuchAthlete[] = "no such athlete";
constexpr char kOutsideCompetition[] = "the event's local day is outside the competition's dates";

bool Fits(const Date& local_date, const Competition& competition) {
  return local_date >= competition.start_date && local_date <= competition.end_date;
}

// The item among `items` with the primary key of `key`, or nullptr.
const json::object* ItemWithKey(const std::vector<json::object>& items, const json::object& key) {
  const std::string_view pk = dynamodb::StringOf(key, dynamodb::kPk);
  const std::string_view sk = dynamodb::StringOf(key, dynamodb::kSk);
  for (const json::object& item : items) {
    if (dynamodb::StringOf(item, dynamodb::kPk) == pk &&
        dynamodb::StringOf(item, dynamodb::kSk) == sk) {
      return &item;
    }
  }
  return nullptr;
}

}  // namespace

Async<Status> DynamoDbStore::ConfirmEventFits(std::string_view competition_id,
                                              const Date& local_date) {
  Expression expression;
  Item request{{"Key", dynamodb::CompetitionKey(competition_id)}};
  request["UpdateExpression"] =
      "ADD " + expression.Name("event_writes") + " " + expression.Value(dynamodb::N(1));
  const std::string day = expression.Value(dynamodb::S(local_date.ToString()));
  // A missing competition fails the comparisons too.
  request["ConditionExpression"] = expression.Name("start_date") + " <= " + day + " AND " +
                                   expression.Name("end_date") + " >= " + day;
  expression.AddTo(request);
  Result<Reply> confirmed = co_await Call("UpdateItem", std::move(request));
  if (!confirmed.ok()) co_return std::move(confirmed).error();
  if (!ConditionFailed(*confirmed)) co_return Status::Ok();
  Result<std::optional<Item>> competition =
      co_await GetItem(dynamodb::CompetitionKey(competition_id));
  if (!competition.ok()) co_return std::move(competition).error();
  if (!competition->has_value()) co_return Error::NotFound(std::string(kNoSuchCompetitionMessage));
  co_return Error::Conflict(kOutsideCompetition);
}

// Checked, written, then confirmed: the athlete and the competition are read first for a plain
// answer in the common case; after the event is written, ConfirmEventFits checks its day against
// the competition as it is then (a concurrent UpdateCompetition either sees the event or fails
// on the moved count) and the athlete is read again (a concurrent DeleteAthlete may have swept
// its calendar already). An event that fails the confirmation is deleted again.
Async<Status> DynamoDbStore::CreateEvent(const Event& event) {
  const Date local_date = event.date_time.local_date();
  const Item athlete_key = dynamodb::AthleteKey(event.athlete_id);
  const Item competition_key = dynamodb::CompetitionKey(event.competition_id);
  std::vector<Item> keys = {athlete_key, competition_key};
  Result<std::vector<Item>> found = co_await BatchGet(std::move(keys), /*consistent=*/true);
  if (!found.ok()) co_return std::move(found).error();
  if (ItemWithKey(*found, athlete_key) == nullptr) co_return Error::NotFound(kNoSuchAthlete);
  const Item* competition_item = ItemWithKey(*found, competition_key);
  // The API layer recognizes this message to answer 422 on competition_id.
  if (competition_item == nullptr) {
    co_return Error::NotFound(std::string(kNoSuchCompetitionMessage));
  }
  Result<Competition> competition = dynamodb::ReadCompetition(*competition_item, logger_);
  if (!competition.ok()) co_return std::move(competition).error();
  if (!Fits(local_date, *competition)) co_return Error::Conflict(kOutsideCompetition);

  Item put_event{{"Item", dynamodb::EventItem(event)},
                 {"ConditionExpression", "attribute_not_exists(pk)"}};
  Result<Reply> created = co_await Call("PutItem", std::move(put_event));
  if (!created.ok()) co_return std::move(created).error();
  if (ConditionFailed(*created)) co_return Error::Conflict("an event with this id already exists");

  Status confirmed;
  const std::function<Async<Status>(size_t)> confirm = [&](size_t which) -> Async<Status> {
    if (which == 0) {
      confirmed = co_await ConfirmEventFits(event.competition_id, local_date);
      co_return Status::Ok();
    }
    Result<std::optional<Item>> athlete = co_await GetItem(athlete_key);
    if (!athlete.ok()) co_return std::move(athlete).error();
    if (!athlete->has_value()) co_return Error::NotFound(kNoSuchAthlete);
    co_return Status::Ok();
  };
  Status status = co_await ForEachConcurrently(2, confirm);
  if (status.ok()) status = std::move(confirmed);
  if (status.ok()) {
    co_return co_await AppendChange(ChangeType::kEventCreated, change_encoder_->Event(event));
  }
  if (status.error().code == ErrorCode::kNotFound || status.error().code == ErrorCode::kConflict) {
    Item undo{{"Key", dynamodb::EventKey(event.id)}};
    Result<Reply> undone = co_await Call("DeleteItem", std::move(undo));
    if (!undone.ok()) co_return std::move(undone).error();
  }
  co_return status;
}

Async<Result<Event>> DynamoDbStore::GetEvent(std::string_view id) {
  Result<std::optional<Item>> item = co_await GetItem(dynamodb::EventKey(id));
  if (!item.ok()) co_return std::move(item).error();
  if (!item->has_value()) co_return Error::NotFound(kNoSuchEvent);
  co_return dynamodb::ReadEvent(**item, logger_);
}

// As CreateEvent, with the conditional update of the event as the commit point; if the
// confirmation then fails, the event is put back as it was (unless someone changed it since).
Async<Status> DynamoDbStore::UpdateEvent(const Event& event, int64_t expected_version) {
  const Date local_date = event.date_time.local_date();
  const Item event_key = dynamodb::EventKey(event.id);
  const Item competition_key = dynamodb::CompetitionKey(event.competition_id);
  std::vector<Item> keys = {event_key, competition_key};
  Result<std::vector<Item>> found = co_await BatchGet(std::move(keys), /*consistent=*/true);
  if (!found.ok()) co_return std::move(found).error();
  const Item* stored = ItemWithKey(*found, event_key);
  if (stored == nullptr) co_return Error::NotFound(kNoSuchEvent);
  Result<Event> current = dynamodb::ReadEvent(*stored, logger_);
  if (!current.ok()) co_return std::move(current).error();
  if (current->version != expected_version) co_return Error::PreconditionFailed();
  const Item* competition_item = ItemWithKey(*found, competition_key);
  if (competition_item == nullptr) {
    co_return Error::NotFound(std::string(kNoSuchCompetitionMessage));
  }
  Result<Competition> competition = dynamodb::ReadCompetition(*competition_item, logger_);
  if (!competition.ok()) co_return std::move(competition).error();
  if (!Fits(local_date, *competition)) co_return Error::Conflict(kOutsideCompetition);

  // An event stays in its athlete's calendar: athlete_id is not rewritten.
  Event changed = event;
  changed.athlete_id = current->athlete_id;
  const Item fields = dynamodb::EventItem(changed);
  Expression expression;
  Item request{{"Key", event_key}};
  const std::vector<std::string_view> updated_attributes = dynamodb::EventUpdatedAttributes();
  request["UpdateExpression"] = expression.SetFrom(fields, updated_attributes);
  request["ConditionExpression"] =
      expression.Name("version") + " = " + expression.Value(dynamodb::N(expected_version));
  expression.AddTo(request);
  Result<Reply> updated = co_await Call("UpdateItem", std::move(request));
  if (!updated.ok()) co_return std::move(updated).error();
  if (ConditionFailed(*updated)) co_return co_await VersionFailure(event_key, kNoSuchEvent);

  Status confirmed = co_await ConfirmEventFits(event.competition_id, local_date);
  if (confirmed.ok()) {
    co_return co_await AppendChange(ChangeType::kEventUpdated, change_encoder_->Event(changed));
  }
  if (confirmed.error().code != ErrorCode::kNotFound &&
      confirmed.error().code != ErrorCode::kConflict) {
    co_return confirmed;
  }
  Expression unchanged;
  Item revert{{"Item", *stored}};
  revert["ConditionExpression"] =
      unchanged.Name("version") + " = " + unchanged.Value(dynamodb::N(event.version));
  unchanged.AddTo(revert);
  Result<Reply> reverted = co_await Call("PutItem", std::move(revert));
  if (!reverted.ok()) co_return std::move(reverted).error();
  co_return confirmed;
}

Async<Status> DynamoDbStore::DeleteEvent(std::string_view id,
                                         std::optional<int64_t> expected_version) {
  Result<Reply> deleted =
      co_await DeleteVersioned(dynamodb::EventKey(id), expected_version, kNoSuchEvent);
  if (!deleted.ok()) co_return std::move(deleted).error();
  co_return co_await AppendChange(ChangeType::kEventDeleted, change_encoder_->Deleted(id));
}

// The athlete's calendar partition of index gsi1 (sort key "<instant>#<id>"), as one key range:
// from the later of the cursor and the first instant whose local day can be `from`, to the last
// instant whose local day can be `to`; the local days themselves are a filter.
Async<Result<Page<Event>>> DynamoDbStore::ListEvents(const EventQuery& query) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  const std::string after = query.after.has_value()
                                ? dynamodb::CalendarKey(query.after->instant, query.after->id)
                                : std::string();
  std::string low = after.empty() ? std::string("0") : after;  // "0" precedes every key
  if (query.from.has_value()) {
    low = std::max(low, dynamodb::SortableInstant(dynamodb::MidnightUtc(*query.from) -
                                                  dynamodb::kMaxUtcOffset));
  }
  // "~" follows every key (they start with digits).
  const std::string high =
      query.to.has_value()
          ? dynamodb::SortableInstant(
                dynamodb::MidnightUtc(Date::FromDaysSinceEpoch(query.to->DaysSinceEpoch() + 1)) +
                dynamodb::kMaxUtcOffset)
          : std::string("~");

  Result<std::optional<Item>> athlete = Error::Internal();
  Result<std::vector<Item>> items = Error::Internal();
  const std::function<Async<Status>(size_t)> read = [&](size_t which) -> Async<Status> {
    if (which == 0) {
      athlete = co_await GetItem(dynamodb::AthleteKey(query.athlete_id));
      co_return Status::Ok();
    }
    if (low > high) {
      items = std::vector<Item>();
      co_return Status::Ok();
    }
    Expression expression;
    Item request{{"IndexName", dynamodb::kGsi1}};
    request["KeyConditionExpression"] =
        expression.Name(dynamodb::kGsi1Pk) + " = " +
        expression.Value(dynamodb::S(dynamodb::CalendarPk(query.athlete_id))) + " AND " +
        expression.Name(dynamodb::kGsi1Sk) + " BETWEEN " + expression.Value(dynamodb::S(low)) +
        " AND " + expression.Value(dynamodb::S(high));
    std::string filter;
    if (query.from.has_value()) {
      filter = expression.Name("local_date") +
               " >= " + expression.Value(dynamodb::S(query.from->ToString()));
    }
    if (query.to.has_value()) {
      filter += (filter.empty() ? "" : " AND ") + expression.Name("local_date") +
                " <= " + expression.Value(dynamodb::S(query.to->ToString()));
    }
    if (!filter.empty()) request["FilterExpression"] = filter;
    // The page, the item after it and the cursor's own item; a filter drops at most the events
    // within a day of its bounds.
    request["Limit"] = filter.empty() ? limit + 2 : limit + 10;
    expression.AddTo(request);
    items = co_await QueryUpTo(std::move(request), limit + 1, [&](const Item& item) {
      return after.empty() || dynamodb::StringOf(item, dynamodb::kGsi1Sk) != after;
    });
    co_return Status::Ok();
  };
  if (Status status = co_await ForEachConcurrently(2, read); !status.ok()) {
    co_return std::move(status).error();
  }
  if (!athlete.ok()) co_return std::move(athlete).error();
  if (!athlete->has_value()) co_return Error::NotFound(kNoSuchAthlete);
  if (!items.ok()) co_return std::move(items).error();
  co_return dynamodb::ReadPage(std::move(*items), limit, &dynamodb::ReadEvent, logger_);
}

// Index gsi2 orders a competition's events by local day, not by instant, and an event's instant
// lies within kMaxUtcOffset of its local day (see MidnightUtc). So the Query starts two days
// before the cursor's instant, keeps the `limit + 1` least (instant, id) that pass the filter,
// and stops at the first event whose local day is late enough that neither it nor any after it
// can be among them. Then one BatchGetItem reads the page's athletes and the competition itself
// (an event is shown only with its competition and its athlete, as the cascades require). For a
// meet in one offset that is about a page plus two days of events read, in two calls.
Async<Result<Page<StartListEntry>>> DynamoDbStore::ListCompetitionEvents(
    const StartListQuery& query) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  using SortKey = std::pair<Timestamp, std::string>;
  std::map<SortKey, Event> least;  // at most limit + 1
  Status malformed = Status::Ok();

  Expression expression;
  Item request{{"IndexName", dynamodb::kGsi2}, {"Limit", std::max<size_t>(2 * limit + 2, 100)}};
  std::string key_condition =
      expression.Name(dynamodb::kGsi2Pk) + " = " +
      expression.Value(dynamodb::S(dynamodb::CompetitionEventsPk(query.competition_id)));
  if (query.after.has_value()) {
    const Date first_day = Date::OfInstant(query.after->instant - 2 * dynamodb::kMaxUtcOffset);
    key_condition += " AND " + expression.Name(dynamodb::kGsi2Sk) +
                     " >= " + expression.Value(dynamodb::S(first_day.ToString()));
  }
  request["KeyConditionExpression"] = key_condition;
  expression.AddTo(request);
  Status read = co_await QueryWhile(std::move(request), [&](const Item& item) {
    Result<Event> event = dynamodb::ReadEvent(item, logger_);
    if (!event.ok()) {
      malformed = std::move(event).error();
      return false;
    }
    const Timestamp earliest =
        dynamodb::MidnightUtc(event->date_time.local_date()) - dynamodb::kMaxUtcOffset;
    if (least.size() > limit && std::prev(least.end())->first.first < earliest) return false;
    SortKey key{event->date_time.instant(), event->id};
    if (query.after.has_value() && key <= SortKey{query.after->instant, query.after->id}) {
      return true;
    }
    if (!MatchesDiscipline(event->name, query.discipline)) return true;
    least.emplace(std::move(key), std::move(*event));
    if (least.size() > limit + 1) least.erase(std::prev(least.end()));
    return true;
  });
  if (!read.ok()) co_return std::move(read).error();
  if (!malformed.ok()) co_return std::move(malformed).error();

  Page<StartListEntry> page;
  page.has_more = least.size() > limit;
  if (page.has_more) least.erase(std::prev(least.end()));
  std::vector<Item> keys = {dynamodb::CompetitionKey(query.competition_id)};
  for (const auto& [key, event] : least) keys.push_back(dynamodb::AthleteKey(event.athlete_id));
  Result<std::vector<Item>> found = co_await BatchGet(std::move(keys), /*consistent=*/true);
  if (!found.ok()) co_return std::move(found).error();

  bool competition_exists = false;
  std::map<std::string, AthleteSummary, std::less<>> athletes;
  for (const Item& item : *found) {
    if (dynamodb::StringOf(item, dynamodb::kSk) != dynamodb::kAthleteSk) {
      competition_exists = true;
      continue;
    }
    Result<Athlete> athlete = dynamodb::ReadAthlete(item, logger_);
    if (!athlete.ok()) co_return std::move(athlete).error();
    std::string id = athlete->id;
    athletes.emplace(std::move(id),
                     AthleteSummary{athlete->id, athlete->first_name, athlete->last_name,
                                    athlete->country, athlete->team});
  }
  if (!competition_exists) co_return Error::NotFound("no such competition");
  for (auto& [key, event] : least) {
    const auto athlete = athletes.find(event.athlete_id);
    if (athlete == athletes.end()) continue;  // deleted; its events are being swept
    page.items.push_back(StartListEntry{std::move(event), athlete->second});
  }
  co_return page;
}

}  // namespace tt
