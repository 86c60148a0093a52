// SqliteStore: events (athletes' calendars) and the feed.
#include <limits>
#include <map>
#include <string>
#include <utility>

#include "domain/feed.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/feed_cache.h"
#include "storage/sqlite/field_rows.h"
#include "storage/sqlite/group_commit.h"
#include "storage/sqlite/queries.h"
#include "storage/sqlite/rows.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/sqlite/transaction.h"

namespace tt {

using sqlite::Connection;
using sqlite::InReadTransaction;
using sqlite::InSingleStatementRead;
using sqlite::RowReader;
using sqlite::Statement;

namespace {

constexpr char kEventVersion[] = "SELECT version FROM events WHERE id = ?1";
constexpr char kNoSuchEvent[] = "no such event";

// The rule every event write keeps, checked in the write transaction that makes it, so that a
// concurrent UpdateCompetition (which checks the converse) cannot interleave: `event`'s
// competition exists and its dates contain the event's local day.
Status CheckFitsCompetition(Connection& connection, const Event& event,
                            const std::string& local_date) {
  Result<Statement> select =
      connection.Prepare("SELECT start_date, end_date FROM competitions WHERE id = ?1");
  if (!select.ok()) return std::move(select).error();
  select->Bind(1, event.competition_id);
  Result<bool> row = select->Step();
  if (!row.ok()) return std::move(row).error();
  // The API layer recognizes this message to answer 422 on competition_id.
  if (!*row) return Error::NotFound(std::string(kNoSuchCompetitionMessage));
  // `YYYY-MM-DD` text compares in calendar order.
  if (local_date < select->Text(0) || local_date > select->Text(1)) {
    return Error::Conflict("the event's local day is outside the competition's dates");
  }
  return Status::Ok();
}

}  // namespace

Async<Status> SqliteStore::CreateEvent(const Event& event) {
  const std::string local_date = event.date_time.local_date().ToString();
  const std::string change = change_encoder_->Event(event);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(std::string(sqlite::FeedCache::kFeeds));
    if (Status status = sqlite::RequireAthlete(connection, event.athlete_id); !status.ok()) {
      return std::move(status).error();
    }
    if (Status status = CheckFitsCompetition(connection, event, local_date); !status.ok()) {
      return status;
    }
    // The instant and the local day, which calendars and the competition check use, are derived
    // from date_time.
    static const std::string kInsert =
        sqlite::InsertSql("events", kEventFields, {"instant", "local_date"});
    Status status = sqlite::InsertRow(connection, kInsert, kEventFields, event,
                                      sqlite::Micros(event.date_time.instant()), local_date);
    if (!status.ok() && status.error().code == ErrorCode::kConflict) {
      return Error::Conflict("an event with this id already exists");
    }
    if (!status.ok()) return status;
    return AppendChange(connection, ChangeType::kEventCreated, change);
  });
}

Async<Result<Event>> SqliteStore::GetEvent(std::string_view id) {
  co_return InSingleStatementRead(*pool_, [&](Connection& connection) -> Result<Event> {
    static const std::string kSelect =
        "SELECT " + sqlite::EventColumns() + " FROM events e WHERE e.id = ?1";
    Result<Statement> select = connection.Prepare(kSelect);
    if (!select.ok()) return std::move(select).error();
    select->Bind(1, id);
    return sqlite::ReadOneRow(*select, &sqlite::ReadEvent, kNoSuchEvent);
  });
}

Async<Status> SqliteStore::UpdateEvent(const Event& event, int64_t expected_version) {
  const std::string local_date = event.date_time.local_date().ToString();
  const std::string change = change_encoder_->Event(event);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(std::string(sqlite::FeedCache::kFeeds));
    if (Status status = sqlite::CheckVersion(connection, kEventVersion, event.id, expected_version,
                                             kNoSuchEvent);
        !status.ok()) {
      return status;
    }
    // The athlete exists while its event does (ON DELETE CASCADE); the competition may change.
    if (Status status = CheckFitsCompetition(connection, event, local_date); !status.ok()) {
      return status;
    }
    // An event stays in its athlete's calendar: athlete_id is not rewritten.
    static const std::string kUpdate =
        sqlite::UpdateSql("events", kEventFields, {"instant", "local_date"});
    if (Status status =
            sqlite::UpdateRow(connection, kUpdate, kEventFields, event, expected_version,
                              sqlite::Micros(event.date_time.instant()), local_date);
        !status.ok()) {
      return status;
    }
    return AppendChange(connection, ChangeType::kEventUpdated, change);
  });
}

Async<Status> SqliteStore::DeleteEvent(std::string_view id,
                                       std::optional<int64_t> expected_version) {
  const std::string change = change_encoder_->Deleted(id);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(std::string(sqlite::FeedCache::kFeeds));
    if (Status status =
            sqlite::DeleteVersioned(connection, kEventVersion, "DELETE FROM events WHERE id = ?1",
                                    id, expected_version, kNoSuchEvent);
        !status.ok()) {
      return status;
    }
    return AppendChange(connection, ChangeType::kEventDeleted, change);
  });
}

Async<Result<Page<Event>>> SqliteStore::ListEvents(const EventQuery& query) {
  const int limit = sqlite::PageLimit(query.limit);
  // Absent bounds become the widest ones, so one statement serves every query.
  const std::string from = query.from.has_value() ? query.from->ToString() : std::string();
  const std::string to = query.to.has_value() ? query.to->ToString() : std::string("9999-12-31");
  const sqlite::TimeKeyset after =
      sqlite::KeysetOf(query.after, &EventCursor::instant, std::numeric_limits<int64_t>::min());
  co_return InReadTransaction(*pool_, [&](Connection& connection) -> Result<Page<Event>> {
    if (Status status = sqlite::RequireAthlete(connection, query.athlete_id); !status.ok()) {
      return std::move(status).error();
    }

    // Walks the (athlete_id, instant, id) index from the cursor; the local-day bounds filter.
    static const std::string kSelect =
        "SELECT " + sqlite::EventColumns() +
        " FROM events e WHERE e.athlete_id = ?1 AND e.local_date >= ?2 AND e.local_date <= ?3"
        " AND (e.instant, e.id) > (?4, ?5) ORDER BY e.instant, e.id LIMIT ?6";
    Result<Statement> select = connection.Prepare(kSelect);
    if (!select.ok()) return std::move(select).error();
    select->BindAll(query.athlete_id, from, to, after.time, after.id, limit + 1);
    return sqlite::ReadPage(*select, &sqlite::ReadEvent, limit);
  });
}

// One statement walks the (competition_id, instant, id) index from the cursor; the discipline
// filter is applied while stepping, which stops at the first row past the page, so the work is
// the page (plus the rows the filter skips), whatever the size of the competition.
Async<Result<Page<StartListEntry>>> SqliteStore::ListCompetitionEvents(
    const StartListQuery& query) {
  const size_t limit = static_cast<size_t>(sqlite::PageLimit(query.limit));
  const sqlite::TimeKeyset after =
      sqlite::KeysetOf(query.after, &EventCursor::instant, std::numeric_limits<int64_t>::min());
  co_return InSingleStatementRead(
      *pool_, [&](Connection& connection) -> Result<Page<StartListEntry>> {
        static const std::string kSelect =
            "SELECT " + sqlite::EventColumns() +
            ", a.id, a.first_name, a.last_name, a.country, a.team"
            " FROM events e JOIN athletes a ON a.id = e.athlete_id"
            " WHERE e.competition_id = ?1 AND (e.instant, e.id) > (?2, ?3)"
            " ORDER BY e.instant, e.id";
        Result<Statement> select = connection.Prepare(kSelect);
        if (!select.ok()) return std::move(select).error();
        select->BindAll(query.competition_id, after.time, after.id);
        std::vector<StartListEntry> rows;
        while (rows.size() <= limit) {
          Result<bool> row = select->Step();
          if (!row.ok()) return std::move(row).error();
          if (!*row) break;
          RowReader reader(*select);
          Result<Event> event = sqlite::ReadEvent(reader);
          if (!event.ok()) return std::move(event).error();
          if (!MatchesDiscipline(event->name, query.discipline)) continue;
          StartListEntry entry{std::move(*event), {}};
          entry.athlete.id = reader.Text();
          entry.athlete.first_name = reader.Text();
          entry.athlete.last_name = reader.Text();
          entry.athlete.country = reader.OptionalText();
          entry.athlete.team = reader.OptionalText();
          rows.push_back(std::move(entry));
        }
        // Only an empty page needs to tell "no events" from "no such competition": the events
        // of a deleted competition are deleted with it.
        if (rows.empty()) {
          Result<bool> exists = sqlite::RowExists(
              connection, "SELECT 1 FROM competitions WHERE id = ?1", query.competition_id);
          if (!exists.ok()) return std::move(exists).error();
          if (!*exists) return Error::NotFound("no such competition");
        }
        return sqlite::MakePage(std::move(rows), static_cast<int>(limit));
      });
}

// A feed page reads, in one read transaction (so that it sees one snapshot):
//   1. the user, and the ids of the athletes it follows;
//   2. with few follows (kFewFollows), the page of competitions: those with end_date >= from
//      after the cursor, in (start_date, id) order, where a followed athlete has an event, from
//      the followed athletes' (athlete_id, competition_id) index; then the followed athletes'
//      events at those competitions with their names (the ids as one JSON array parameter);
//   2'. with many, most competitions qualify, so one statement walks the competitions in page
//      order from the cursor and joins each to its events by a followed athlete, found in the
//      covering (competition_id, athlete_id) index, with their athletes' names. The followed
//      ids are a hash set bound to the statement (tt_in_set): a probe per event where a join
//      with follows descended its index, the feed's largest cost (docs/BENCHMARKS.md). The rows
//      come in competition order (the competitions_by_start index; no sort), so reading stops at
//      the page's last competition and one more, which says whether more follow.
// BEGIN and COMMIT add two statements. The work grows with the page and the number of follows
// (their ids are read), not with all the events of everyone followed.
namespace {

constexpr int kFewFollows = 32;

// The rows a feed page is grouped from.
struct FeedRows {
  std::vector<Competition> competitions;  // in page order
  std::vector<Event> events;
  std::map<std::string, Athlete, std::less<>> athletes;  // each with its id and names
};

// Adds `event` and its athlete's names, the next two columns of `reader`, to `rows`.
void AddFeedEvent(Event event, RowReader& reader, FeedRows& rows) {
  std::string first_name = reader.Text();
  std::string last_name = reader.Text();
  auto athlete = rows.athletes.find(event.athlete_id);
  if (athlete == rows.athletes.end()) {
    athlete = rows.athletes.emplace(event.athlete_id, Athlete{}).first;
    athlete->second.id = event.athlete_id;
    athlete->second.first_name = std::move(first_name);
    athlete->second.last_name = std::move(last_name);
  }
  rows.events.push_back(std::move(event));
}

Page<FeedEntry> GroupFeedRows(FeedRows rows, bool has_more) {
  std::vector<Athlete> athletes;
  athletes.reserve(rows.athletes.size());
  for (auto& [id, athlete] : rows.athletes) athletes.push_back(std::move(athlete));
  return Page<FeedEntry>{GroupFeed(std::move(rows.competitions), athletes, std::move(rows.events)),
                         has_more};
}

// Where a feed page starts: `from` and the cursor's (start_date, id), empty without one.
struct FeedStart {
  std::string from;
  std::string after_start;
  std::string after_id;
};

// A page for many follows: the single walk described above.
Result<Page<FeedEntry>> ReadPageOfManyFollows(Connection& connection,
                                              const sqlite::TextSet& followed,
                                              const FeedStart& start, int limit) {
  static const std::string kWalk =
      "SELECT " + sqlite::EventColumns() + ", a.first_name, a.last_name, " +
      sqlite::CompetitionColumns() +
      " FROM competitions c"
      " CROSS JOIN events e ON e.competition_id = c.id"
      " CROSS JOIN athletes a ON a.id = e.athlete_id"
      " WHERE c.end_date >= ?2 AND " TT_SQL_STARTS_AFTER("?2", "?3", "?4")
      " AND tt_in_set(?1, e.athlete_id)"
      " ORDER BY c.start_date, c.id";
  Result<Statement> walk = connection.Prepare(kWalk);
  if (!walk.ok()) return std::move(walk).error();
  walk->Bind(1, followed);
  walk->Bind(2, start.from);
  walk->Bind(3, start.after_start);
  walk->Bind(4, start.after_id);
  FeedRows rows;
  while (true) {
    Result<bool> row = walk->Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return GroupFeedRows(std::move(rows), false);
    // Each row: an event, its athlete's names, its competition.
    RowReader reader(*walk);
    Result<Event> event = sqlite::ReadEvent(reader);
    if (!event.ok()) return std::move(event).error();
    const bool new_competition =
        rows.competitions.empty() || rows.competitions.back().id != event->competition_id;
    if (new_competition && rows.competitions.size() == static_cast<size_t>(limit)) {
      return GroupFeedRows(std::move(rows), true);
    }
    AddFeedEvent(std::move(*event), reader, rows);
    if (new_competition) {
      Result<Competition> competition = sqlite::ReadCompetition(reader);
      if (!competition.ok()) return std::move(competition).error();
      rows.competitions.push_back(std::move(*competition));
    }
  }
}

// A page for few follows: its competitions, then their events by followed athletes.
Result<Page<FeedEntry>> ReadPageOfFewFollows(Connection& connection, const std::string& user_id,
                                             const FeedStart& start, int limit) {
  static const std::string kCompetitions =
      "SELECT " + sqlite::CompetitionColumns() +
      " FROM competitions c"
      " WHERE c.id IN (SELECT e.competition_id FROM follows f"
      " JOIN events e ON e.athlete_id = f.athlete_id WHERE f.user_id = ?1)"
      " AND c.end_date >= ?2 AND (c.start_date, c.id) > (?3, ?4)"
      " ORDER BY c.start_date, c.id LIMIT ?5";
  Result<Statement> select_competitions = connection.Prepare(kCompetitions);
  if (!select_competitions.ok()) return std::move(select_competitions).error();
  select_competitions->BindAll(user_id, start.from, start.after_start, start.after_id, limit + 1);
  Result<Page<Competition>> page =
      sqlite::ReadPage(*select_competitions, &sqlite::ReadCompetition, limit);
  if (!page.ok()) return std::move(page).error();
  if (page->items.empty()) return Page<FeedEntry>{{}, page->has_more};

  std::vector<std::string> competition_ids;
  competition_ids.reserve(page->items.size());
  for (const Competition& competition : page->items) competition_ids.push_back(competition.id);
  // In no particular order: GroupFeed sorts each athlete's events.
  static const std::string kEvents =
      "SELECT " + sqlite::EventColumns() +
      ", a.first_name, a.last_name FROM follows f"
      " JOIN events e ON e.athlete_id = f.athlete_id"
      " JOIN athletes a ON a.id = f.athlete_id"
      " WHERE f.user_id = ?1 AND e.competition_id IN (SELECT value FROM json_each(?2))";
  Result<Statement> select_events = connection.Prepare(kEvents);
  if (!select_events.ok()) return std::move(select_events).error();
  select_events->BindAll(user_id, sqlite::EncodeStringList(competition_ids));
  FeedRows rows;
  rows.competitions = std::move(page->items);
  while (true) {
    Result<bool> row = select_events->Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) break;
    RowReader reader(*select_events);
    Result<Event> event = sqlite::ReadEvent(reader);
    if (!event.ok()) return std::move(event).error();
    AddFeedEvent(std::move(*event), reader, rows);
  }
  return GroupFeedRows(std::move(rows), page->has_more);
}

}  // namespace

Async<Result<Page<FeedEntry>>> SqliteStore::Feed(const FeedQuery& query) {
  if (std::optional<Page<FeedEntry>> cached = feeds_->Find(query)) co_return std::move(*cached);
  // Taken before the read: see BoundedCache.
  const uint64_t generation = feeds_->Generation();
  const int limit = sqlite::PageLimit(query.limit);
  FeedStart start{query.from.ToString(), std::string(), std::string()};
  if (query.after.has_value()) {
    start.after_start = query.after->start_date.ToString();
    start.after_id = query.after->id;
  }
  Result<Page<FeedEntry>> page =
      InReadTransaction(*pool_, [&](Connection& connection) -> Result<Page<FeedEntry>> {
        // One row with a NULL athlete for a user who follows nobody; none for no such user.
        Result<Statement> select_follows = connection.Prepare(
            "SELECT f.athlete_id FROM users u LEFT JOIN follows f ON f.user_id = u.id"
            " WHERE u.id = ?1");
        if (!select_follows.ok()) return std::move(select_follows).error();
        select_follows->BindAll(query.user_id);
        sqlite::TextSet followed;
        bool user_exists = false;
        while (true) {
          Result<bool> row = select_follows->Step();
          if (!row.ok()) return std::move(row).error();
          if (!*row) break;
          user_exists = true;
          if (!select_follows->IsNull(0)) followed.Insert(select_follows->TextView(0));
        }
        if (!user_exists) return Error::NotFound("no such user");
        if (followed.empty()) return Page<FeedEntry>{{}, false};
        if (followed.size() > kFewFollows) {
          return ReadPageOfManyFollows(connection, followed, start, limit);
        }
        return ReadPageOfFewFollows(connection, query.user_id, start, limit);
      });
  if (page.ok()) feeds_->Insert(generation, query, *page);
  co_return page;
}

}  // namespace tt
