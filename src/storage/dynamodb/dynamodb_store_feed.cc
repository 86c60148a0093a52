// DynamoDbStore: the feed, by one of two plans chosen per page.
#include <algorithm>
#include <functional>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "domain/feed.h"
#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

using dynamodb::Expression;

namespace {

// Up to this many follows, reading every followed calendar costs little. Beyond it, the walk
// of the competitions in page order usually needs far fewer calls (about one per competition
// of the page when the followed athletes compete often), as in the SQLite store.
constexpr size_t kFewFollows = 32;

// The athletes of `items` (athlete profile items, in any order).
Result<std::vector<Athlete>> ReadAthletes(const std::vector<boost::json::object>& items,
                                          Logger& logger) {
  std::vector<Athlete> athletes;
  athletes.reserve(items.size());
  for (const boost::json::object& item : items) {
    Result<Athlete> athlete = dynamodb::ReadAthlete(item, logger);
    if (!athlete.ok()) return std::move(athlete).error();
    athletes.push_back(std::move(*athlete));
  }
  return athletes;
}

}  // namespace

// A feed page, whatever its position:
//   1. concurrently: the user's partition (the user item and its follows; one consistent Query)
//      and the longest competition span (one GetItem);
//   2. with more than kFewFollows follows, FeedByCompetitions; with fewer, or when that walk
//      finds the followed athletes' competitions too rare, FeedByCalendars.
Async<Result<Page<FeedEntry>>> DynamoDbStore::Feed(const FeedQuery& query) {
  Result<std::vector<Item>> partition = Error::Internal();
  Result<int64_t> span = Error::Internal();
  const std::function<Async<Status>(size_t)> start = [&](size_t which) -> Async<Status> {
    if (which == 1) {
      span = co_await MaxCompetitionSpan();
      co_return Status::Ok();
    }
    Expression expression;
    Item request{{"ConsistentRead", true}};
    request["KeyConditionExpression"] =
        expression.Name(dynamodb::kPk) + " = " +
        expression.Value(dynamodb::S(dynamodb::UserPk(query.user_id)));
    expression.AddTo(request);
    partition = co_await QueryAll(std::move(request));
    co_return Status::Ok();
  };
  if (Status status = co_await ForEachConcurrently(2, start); !status.ok()) {
    co_return std::move(status).error();
  }
  if (!partition.ok()) co_return std::move(partition).error();
  if (!span.ok()) co_return std::move(span).error();
  std::vector<std::string> followed;
  bool user_exists = false;
  for (const Item& item : *partition) {
    const std::string_view sk = dynamodb::StringOf(item, dynamodb::kSk);
    if (sk == dynamodb::kUserSk) user_exists = true;
    if (sk.starts_with(dynamodb::kFollowPrefix)) {
      followed.emplace_back(dynamodb::StringOf(item, "athlete_id"));
    }
  }
  if (!user_exists) co_return Error::NotFound("no such user");
  if (followed.empty()) co_return Page<FeedEntry>();

  if (followed.size() > kFewFollows) {
    Result<std::optional<Page<FeedEntry>>> walked =
        co_await FeedByCompetitions(query, followed, *span);
    if (!walked.ok()) co_return std::move(walked).error();
    if (walked->has_value()) co_return std::move(**walked);
  }
  co_return co_await FeedByCalendars(query, followed, *span);
}

// Walks the competitions ending on or after `from`, after the cursor, in (start_date, id) order,
// a batch at a time (ListCompetitionsWithSpan, at most kMaxParallel, no more than the page still
// needs), reads the events at each batch's competitions concurrently (one Query of gsi2 each),
// and keeps a competition when a followed athlete has an event there, until limit + 1 are kept
// or the competitions run out; then one BatchGetItem of the kept events' athletes (per 100).
// Gives up (nullopt) as soon as it has made as many calls as FeedByCalendars would.
Async<Result<std::optional<Page<FeedEntry>>>> DynamoDbStore::FeedByCompetitions(
    const FeedQuery& query, const std::vector<std::string>& followed, int64_t span) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  const std::unordered_set<std::string_view> is_followed(followed.begin(), followed.end());
  const size_t budget = followed.size();
  size_t calls = 0;
  std::vector<Competition> kept;  // in page order, at most limit + 1
  std::vector<Event> events;      // the followed athletes' events at `kept`
  CompetitionQuery batch_query{.from = query.from, .after = query.after};
  bool exhausted = false;
  while (kept.size() <= limit && !exhausted) {
    batch_query.limit = static_cast<int>(std::min(kMaxParallel, limit + 1 - kept.size()));
    Result<Page<Competition>> batch = co_await ListCompetitionsWithSpan(batch_query, span);
    if (!batch.ok()) co_return std::move(batch).error();
    calls += 1 + batch->items.size();
    if (calls > budget) co_return std::nullopt;
    exhausted = !batch->has_more;
    if (batch->items.empty()) break;
    const Competition& last = batch->items.back();
    batch_query.after = CompetitionCursor{last.start_date, last.id};

    std::vector<std::vector<Event>> at(batch->items.size());
    const std::function<Async<Status>(size_t)> read = [&](size_t i) -> Async<Status> {
      Result<std::vector<Item>> items = co_await QueryIndexPartition(
          dynamodb::kGsi2, dynamodb::CompetitionEventsPk(batch->items[i].id));
      if (!items.ok()) co_return std::move(items).error();
      for (const Item& item : *items) {
        if (!is_followed.contains(dynamodb::StringOf(item, "athlete_id"))) continue;
        Result<Event> event = dynamodb::ReadEvent(item, logger_);
        if (!event.ok()) co_return std::move(event).error();
        at[i].push_back(std::move(*event));
      }
      co_return Status::Ok();
    };
    if (Status status = co_await ForEachConcurrently(batch->items.size(), read); !status.ok()) {
      co_return std::move(status).error();
    }
    for (size_t i = 0; i < batch->items.size(); ++i) {
      if (at[i].empty()) continue;
      kept.push_back(std::move(batch->items[i]));
      for (Event& event : at[i]) events.push_back(std::move(event));
    }
  }

  Page<FeedEntry> page;
  page.has_more = kept.size() > limit;
  if (page.has_more) kept.resize(limit);
  std::set<std::string> athlete_ids;
  for (const Event& event : events) athlete_ids.insert(event.athlete_id);
  std::vector<Item> keys;
  for (const std::string& id : athlete_ids) keys.push_back(dynamodb::AthleteKey(id));
  Result<std::vector<Item>> athlete_items = co_await BatchGet(std::move(keys), false);
  if (!athlete_items.ok()) co_return std::move(athlete_items).error();
  Result<std::vector<Athlete>> athletes = ReadAthletes(*athlete_items, logger_);
  if (!athletes.ok()) co_return std::move(athletes).error();
  page.items = GroupFeed(std::move(kept), *athletes, std::move(events));
  co_return std::optional<Page<FeedEntry>>(std::move(page));
}

// Concurrently, at most kMaxParallel in flight: for each followed athlete, one Query of its
// calendar from the first instant that can belong to a competition ending on or after `from`
// (`from` minus the longest span, minus a day for offsets), and one BatchGetItem of the followed
// athletes' profiles (per 100); then one BatchGetItem of the competitions of those events (per
// 100). The competitions ending on or after `from`, after the cursor, in (start_date, id) order,
// are cut to the page and grouped with GroupFeed.
Async<Result<Page<FeedEntry>>> DynamoDbStore::FeedByCalendars(
    const FeedQuery& query, const std::vector<std::string>& followed, int64_t span) {
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  const int64_t first_day = Date::Parse("0001-01-01")->DaysSinceEpoch();
  const Date earliest_start =
      Date::FromDaysSinceEpoch(std::max(first_day, query.from.DaysSinceEpoch() - span));
  const std::string low =
      dynamodb::SortableInstant(dynamodb::MidnightUtc(earliest_start) - dynamodb::kMaxUtcOffset);
  // Decoded as each Query answers: 1,000 calendars of JSON items would weigh several times more.
  std::vector<std::vector<Event>> calendars(followed.size());
  std::vector<Item> athlete_items;
  const std::function<Async<Status>(size_t)> gather = [&](size_t i) -> Async<Status> {
    if (i == followed.size()) {
      std::vector<Item> keys;
      for (const std::string& id : followed) keys.push_back(dynamodb::AthleteKey(id));
      Result<std::vector<Item>> athletes = co_await BatchGet(std::move(keys), false);
      if (!athletes.ok()) co_return std::move(athletes).error();
      athlete_items = std::move(*athletes);
      co_return Status::Ok();
    }
    Expression expression;
    Item request{{"IndexName", dynamodb::kGsi1}};
    request["KeyConditionExpression"] =
        expression.Name(dynamodb::kGsi1Pk) + " = " +
        expression.Value(dynamodb::S(dynamodb::CalendarPk(followed[i]))) + " AND " +
        expression.Name(dynamodb::kGsi1Sk) + " >= " + expression.Value(dynamodb::S(low));
    expression.AddTo(request);
    Result<std::vector<Item>> items = co_await QueryAll(std::move(request));
    if (!items.ok()) co_return std::move(items).error();
    calendars[i].reserve(items->size());
    for (const Item& item : *items) {
      Result<Event> event = dynamodb::ReadEvent(item, logger_);
      if (!event.ok()) co_return std::move(event).error();
      calendars[i].push_back(std::move(*event));
    }
    co_return Status::Ok();
  };
  if (Status status = co_await ForEachConcurrently(followed.size() + 1, gather); !status.ok()) {
    co_return std::move(status).error();
  }

  Result<std::vector<Athlete>> athletes = ReadAthletes(athlete_items, logger_);
  if (!athletes.ok()) co_return std::move(athletes).error();
  std::vector<Event> events;
  std::set<std::string> competition_ids;
  for (std::vector<Event>& calendar : calendars) {
    for (Event& event : calendar) {
      competition_ids.insert(event.competition_id);
      events.push_back(std::move(event));
    }
    calendar = {};
  }
  std::vector<Item> keys;
  for (const std::string& id : competition_ids) keys.push_back(dynamodb::CompetitionKey(id));
  Result<std::vector<Item>> competition_items = co_await BatchGet(std::move(keys), false);
  if (!competition_items.ok()) co_return std::move(competition_items).error();

  std::vector<Competition> upcoming;
  for (const Item& item : *competition_items) {
    Result<Competition> competition = dynamodb::ReadCompetition(item, logger_);
    if (!competition.ok()) co_return std::move(competition).error();
    if (competition->end_date < query.from) continue;
    if (query.after.has_value() && std::tie(competition->start_date, competition->id) <=
                                       std::tie(query.after->start_date, query.after->id)) {
      continue;
    }
    upcoming.push_back(std::move(*competition));
  }
  std::sort(upcoming.begin(), upcoming.end(), [](const Competition& a, const Competition& b) {
    return std::tie(a.start_date, a.id) < std::tie(b.start_date, b.id);
  });
  Page<FeedEntry> page;
  page.has_more = upcoming.size() > limit;
  if (page.has_more) upcoming.resize(limit);
  page.items = GroupFeed(std::move(upcoming), *athletes, std::move(events));
  co_return page;
}

}  // namespace tt
