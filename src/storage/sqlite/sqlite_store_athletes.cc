// SqliteStore: athletes and following.
#include <limits>
#include <string>
#include <utility>

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

constexpr char kAthleteVersion[] = "SELECT version FROM athletes WHERE id = ?1";
constexpr char kNoSuchAthlete[] = "no such athlete";

}  // namespace

Async<Status> SqliteStore::CreateAthlete(const Athlete& athlete) {
  const sqlite::AthleteNameKeys keys = sqlite::NameKeysOf(athlete);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(std::string(sqlite::FeedCache::kFeeds));
    if (Status status = sqlite::RequireUser(connection, athlete.id); !status.ok()) {
      return std::move(status).error();
    }

    // The username and follower count are not columns of athletes (kDerived); the folded name
    // keys are.
    static const std::string kInsert =
        sqlite::InsertSql("athletes", kAthleteFields, {"first_key", "last_key"});
    Status status =
        sqlite::InsertRow(connection, kInsert, kAthleteFields, athlete, keys.first, keys.last);
    if (!status.ok() && status.error().code == ErrorCode::kConflict) {
      return Error::Conflict("the user already is an athlete");
    }
    return status;
  });
}

Async<Result<Athlete>> SqliteStore::GetAthlete(std::string_view id) {
  co_return InSingleStatementRead(*pool_, [&](Connection& connection) -> Result<Athlete> {
    static const std::string kSelect = "SELECT " + sqlite::AthleteColumns() +
                                       " FROM athletes a JOIN users au ON au.id = a.id"
                                       " WHERE a.id = ?1";
    Result<Statement> select = connection.Prepare(kSelect);
    if (!select.ok()) return std::move(select).error();
    select->Bind(1, id);
    return sqlite::ReadOneRow(*select, &sqlite::ReadAthlete, kNoSuchAthlete);
  });
}

Async<Status> SqliteStore::UpdateAthlete(const Athlete& athlete, int64_t expected_version) {
  const sqlite::AthleteNameKeys keys = sqlite::NameKeysOf(athlete);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(std::string(sqlite::FeedCache::kFeeds));
    if (Status status = sqlite::CheckVersion(connection, kAthleteVersion, athlete.id,
                                             expected_version, kNoSuchAthlete);
        !status.ok()) {
      return status;
    }
    static const std::string kUpdate =
        sqlite::UpdateSql("athletes", kAthleteFields, {"first_key", "last_key"});
    return sqlite::UpdateRow(connection, kUpdate, kAthleteFields, athlete, expected_version,
                             keys.first, keys.last);
  });
}

Async<Status> SqliteStore::DeleteAthlete(std::string_view id,
                                         std::optional<int64_t> expected_version) {
  const std::string change = change_encoder_->Deleted(id);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(std::string(sqlite::FeedCache::kFeeds));
    // Its events and the follows of it cascade; the user row stays.
    if (Status status = sqlite::DeleteVersioned(connection, kAthleteVersion,
                                                "DELETE FROM athletes WHERE id = ?1", id,
                                                expected_version, kNoSuchAthlete);
        !status.ok()) {
      return status;
    }
    return AppendChange(connection, ChangeType::kAthleteDeleted, change);
  });
}

Async<Result<Page<Athlete>>> SqliteStore::ListAthletes(const AthleteQuery& query) {
  const int limit = sqlite::PageLimit(query.limit);
  std::string prefix;
  std::optional<std::string> prefix_end;
  if (query.prefix.has_value() && !query.prefix->empty()) {
    prefix = sqlite::NameKeyOf(*query.prefix);
    prefix_end = sqlite::PrefixUpperBound(prefix);
    // Only a prefix of 0xFF bytes has no upper bound, and no UTF-8 name starts with one.
    if (!prefix_end.has_value()) co_return Page<Athlete>();
  }
  // Before every row: real rows have a non-empty id.
  const sqlite::AthleteNameKeys no_keys;
  const std::string no_id;
  const std::string& after_last =
      query.after.has_value() ? query.after->last_name_key : no_keys.last;
  const std::string& after_first =
      query.after.has_value() ? query.after->first_name_key : no_keys.first;
  const std::string& after_id = query.after.has_value() ? query.after->id : no_id;

  co_return InSingleStatementRead(*pool_, [&](Connection& connection) -> Result<Page<Athlete>> {
    // Two statements rather than one with `?4 IS NULL OR ...`, so that each gets the plan that
    // suits it. Without a prefix: the name index in order from the cursor. With one: the union
    // of two index ranges (first_key, last_key), then a sort of just the matches; never LIKE,
    // whose wildcards would come from input.
    static const std::string kPrefixSelect =
        "SELECT " + sqlite::AthleteColumns() +
        " FROM athletes a JOIN users au ON au.id = a.id"
        " WHERE a.id IN ("
        "SELECT id FROM athletes WHERE first_key >= ?4 AND first_key < ?5"
        " UNION ALL SELECT id FROM athletes WHERE last_key >= ?4 AND last_key < ?5)"
        " AND (a.last_key, a.first_key, a.id) > (?1, ?2, ?3)"
        " ORDER BY a.last_key, a.first_key, a.id LIMIT ?6";
    static const std::string kSelect = "SELECT " + sqlite::AthleteColumns() +
                                       " FROM athletes a JOIN users au ON au.id = a.id"
                                       " WHERE (a.last_key, a.first_key, a.id) > (?1, ?2, ?3)"
                                       " ORDER BY a.last_key, a.first_key, a.id LIMIT ?4";
    Result<Statement> select = connection.Prepare(prefix_end.has_value() ? kPrefixSelect : kSelect);
    if (!select.ok()) return std::move(select).error();
    if (prefix_end.has_value()) {
      select->BindAll(after_last, after_first, after_id, prefix, *prefix_end, limit + 1);
    } else {
      select->BindAll(after_last, after_first, after_id, limit + 1);
    }
    return sqlite::ReadPage(*select, &sqlite::ReadAthlete, limit);
  });
}

Async<Status> SqliteStore::Follow(std::string_view user_id, std::string_view athlete_id,
                                  Timestamp at) {
  const std::string change = change_encoder_->Follow(user_id, athlete_id, at);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(std::string(sqlite::FeedCache::kFeeds));
    if (Status status = sqlite::RequireAthlete(connection, athlete_id); !status.ok()) {
      return std::move(status).error();
    }
    if (Status status = sqlite::RequireUser(connection, user_id); !status.ok()) {
      return std::move(status).error();
    }

    // DO NOTHING keeps the first follow time, so following again does not reorder the list
    // (and, changing nothing, records no change).
    if (Status status =
            sqlite::RunStatement(connection,
                                 "INSERT INTO follows (user_id, athlete_id, followed_at) "
                                 "VALUES (?1, ?2, ?3) ON CONFLICT (user_id, athlete_id) DO NOTHING",
                                 user_id, athlete_id, sqlite::Micros(at));
        !status.ok() || connection.Changes() == 0) {
      return status;
    }
    return AppendChange(connection, ChangeType::kFollowCreated, change);
  });
}

Async<Status> SqliteStore::Unfollow(std::string_view user_id, std::string_view athlete_id) {
  const std::string change = change_encoder_->FollowKey(user_id, athlete_id);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(std::string(sqlite::FeedCache::kFeeds));
    if (Status status = sqlite::RunStatement(
            connection, "DELETE FROM follows WHERE user_id = ?1 AND athlete_id = ?2", user_id,
            athlete_id);
        !status.ok() || connection.Changes() == 0) {
      return status;
    }
    return AppendChange(connection, ChangeType::kFollowDeleted, change);
  });
}

Async<Result<Page<FollowedAthlete>>> SqliteStore::ListFollowing(const FollowingQuery& query) {
  const int limit = sqlite::PageLimit(query.limit);
  // The first page starts below the greatest representable time (year 294247), which no follow
  // has; `(t, id) < (max, "")` then holds for every stored follow.
  const sqlite::TimeKeyset before = sqlite::KeysetOf(query.after, &FollowCursor::followed_at,
                                                     std::numeric_limits<int64_t>::max());
  co_return InReadTransaction(*pool_, [&](Connection& connection) -> Result<Page<FollowedAthlete>> {
    if (Status status = sqlite::RequireUser(connection, query.user_id); !status.ok()) {
      return std::move(status).error();
    }

    // Walks the (user_id, followed_at, athlete_id) index backwards from the cursor.
    static const std::string kSelect =
        "SELECT " + sqlite::AthleteColumns() +
        ", f.followed_at FROM follows f"
        " JOIN athletes a ON a.id = f.athlete_id JOIN users au ON au.id = a.id"
        " WHERE f.user_id = ?1 AND (f.followed_at, f.athlete_id) < (?2, ?3)"
        " ORDER BY f.followed_at DESC, f.athlete_id DESC LIMIT ?4";
    Result<Statement> select = connection.Prepare(kSelect);
    if (!select.ok()) return std::move(select).error();
    select->BindAll(query.user_id, before.time, before.id, limit + 1);
    return sqlite::ReadPage(
        *select,
        [](RowReader& reader) -> Result<FollowedAthlete> {
          Result<Athlete> athlete = sqlite::ReadAthlete(reader);
          if (!athlete.ok()) return std::move(athlete).error();
          return FollowedAthlete{std::move(*athlete), reader.Time()};
        },
        limit);
  });
}

Async<Result<Page<Follower>>> SqliteStore::ListFollowers(const FollowersQuery& query) {
  const int limit = sqlite::PageLimit(query.limit);
  // As ListFollowing: the first page starts below every stored follow time.
  const sqlite::TimeKeyset before = sqlite::KeysetOf(query.after, &FollowCursor::followed_at,
                                                     std::numeric_limits<int64_t>::max());
  co_return InSingleStatementRead(*pool_, [&](Connection& connection) -> Result<Page<Follower>> {
    // Walks the (athlete_id, followed_at, user_id) index backwards from the cursor. The rows are
    // the rows follower_count counts, so the pages add up to it.
    Result<Statement> select = connection.Prepare(
        "SELECT u.id, u.username, u.display_name, f.followed_at FROM follows f"
        " JOIN users u ON u.id = f.user_id"
        " WHERE f.athlete_id = ?1 AND (f.followed_at, f.user_id) < (?2, ?3)"
        " ORDER BY f.followed_at DESC, f.user_id DESC LIMIT ?4");
    if (!select.ok()) return std::move(select).error();
    select->BindAll(query.athlete_id, before.time, before.id, limit + 1);
    Result<Page<Follower>> page = sqlite::ReadPage(
        *select,
        [](RowReader& reader) -> Result<Follower> {
          Follower follower;
          follower.id = reader.Text();
          follower.username = reader.Text();
          follower.display_name = reader.Text();
          follower.followed_at = reader.Time();
          if (Status status = reader.Check("follower"); !status.ok()) {
            return std::move(status).error();
          }
          return follower;
        },
        limit);
    // Only an empty page needs to tell "no followers" from "no such athlete": follows of a
    // deleted athlete are deleted with it.
    if (page.ok() && page->items.empty()) {
      if (Status status = sqlite::RequireAthlete(connection, query.athlete_id); !status.ok()) {
        return std::move(status).error();
      }
    }
    return page;
  });
}

}  // namespace tt
