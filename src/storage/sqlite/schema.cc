#include "storage/sqlite/schema.h"

#include <array>
#include <string>
#include <utility>

namespace tt::sqlite {
namespace {

// Migration N (1-based) takes the schema from version N-1 to N. Never edit one that has
// shipped: append a new one instead.
//
// Conventions: STRICT tables, so a type mistake fails instead of being stored; timestamps are
// INTEGER microseconds since the Unix epoch (UTC); dates are TEXT `YYYY-MM-DD`, which sorts in
// calendar order; `*_key` columns hold the lowercase forms that lists order and match by.
constexpr std::array<const char*, 9> kMigrations = {
    // 1: the initial schema.
    R"sql(
CREATE TABLE users (
  id            TEXT PRIMARY KEY NOT NULL,
  username      TEXT NOT NULL,
  username_key  TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  email         TEXT,
  password_hash TEXT NOT NULL,
  is_admin      INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  version       INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY NOT NULL,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user_id, expires_at);

CREATE TABLE sign_in_failures (
  username_key TEXT NOT NULL,
  at           INTEGER NOT NULL
) STRICT;
CREATE INDEX sign_in_failures_by_key ON sign_in_failures(username_key, at);

CREATE TABLE competitions (
  id          TEXT PRIMARY KEY NOT NULL,
  name        TEXT NOT NULL,
  location    TEXT NOT NULL,
  start_date  TEXT NOT NULL,
  end_date    TEXT NOT NULL,
  description TEXT,
  url         TEXT,
  created_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  version     INTEGER NOT NULL
) STRICT;
CREATE INDEX competitions_by_start ON competitions(start_date, id);
CREATE INDEX competitions_by_end ON competitions(end_date);
-- ON DELETE SET NULL looks rows up by created_by.
CREATE INDEX competitions_by_creator ON competitions(created_by);

CREATE TABLE athletes (
  id          TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  first_name  TEXT NOT NULL,
  last_name   TEXT NOT NULL,
  first_key   TEXT NOT NULL,
  last_key    TEXT NOT NULL,
  bio         TEXT,
  birthday    TEXT,
  team        TEXT,
  country     TEXT,
  disciplines TEXT NOT NULL,  -- a JSON array of strings
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  version     INTEGER NOT NULL
) STRICT;
CREATE INDEX athletes_by_name ON athletes(last_key, first_key, id);
CREATE INDEX athletes_by_first_name ON athletes(first_key);

CREATE TABLE events (
  id             TEXT PRIMARY KEY NOT NULL,
  athlete_id     TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
  competition_id TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  date_time      TEXT NOT NULL,     -- RFC 3339 exactly as given, offset kept
  instant        INTEGER NOT NULL,  -- date_time as microseconds since the epoch
  local_date     TEXT NOT NULL,     -- date_time's day in its own offset
  notes          TEXT,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  version        INTEGER NOT NULL
) STRICT;
CREATE INDEX events_by_athlete ON events(athlete_id, instant, id);
CREATE INDEX events_by_competition ON events(competition_id, local_date);
CREATE INDEX events_by_athlete_competition ON events(athlete_id, competition_id);

CREATE TABLE follows (
  user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  athlete_id  TEXT NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
  followed_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, athlete_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX follows_by_athlete ON follows(athlete_id);
CREATE INDEX follows_by_user_time ON follows(user_id, followed_at, athlete_id);
)sql",
    // 2: failed sign-ins are forgotten after a while, found by time.
    R"sql(
CREATE INDEX sign_in_failures_by_time ON sign_in_failures(at);
)sql",
    // 3: each competition's length in days, indexed, so that the longest is one index probe
    // away: lists and the feed start their (start_date, id) scans at `from` minus it rather
    // than at the first competition ever (see TT_SQL_STARTS_AFTER in rows.h).
    R"sql(
ALTER TABLE competitions ADD COLUMN span_days INTEGER
  GENERATED ALWAYS AS (CAST(julianday(end_date) - julianday(start_date) AS INTEGER)) VIRTUAL;
CREATE INDEX competitions_by_span ON competitions(span_days);
)sql",
    // 4: followers newest first, and a competition's events in time order (start lists).
    R"sql(
CREATE INDEX IF NOT EXISTS follows_by_athlete_time ON follows(athlete_id, followed_at, user_id);
CREATE INDEX IF NOT EXISTS events_by_competition_time ON events(competition_id, instant, id);
)sql",
    // 5: calendar feed tokens, one per user at most, stored only as their SHA-256.
    R"sql(
CREATE TABLE calendar_tokens (
  user_id    TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql",
    // 6: which athletes have events at a competition, from the index alone: the feed's walk
    // tests each event's athlete without reading the event's row.
    R"sql(
CREATE INDEX IF NOT EXISTS events_by_competition_athlete ON events(competition_id, athlete_id);
)sql",
    // 7: the change log. AUTOINCREMENT: an id is never given twice, even once retention has
    // deleted every row, so a reader's cursor stays valid. No index on occurred_at: one writer
    // appends in time order, so retention walks the ids from the oldest (and writes skip the
    // cost of a second B-tree).
    R"sql(
CREATE TABLE changes (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  type        TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  data        TEXT NOT NULL  -- JSON
) STRICT;
)sql",
    // 8: webhook endpoints, their secrets sealed (security/secret_box.h), listed by creation;
    // their deliveries, and the fan-out position.
    R"sql(
CREATE TABLE webhook_endpoints (
  id                    TEXT PRIMARY KEY NOT NULL,
  url                   TEXT NOT NULL,
  types                 TEXT NOT NULL,  -- a JSON array of change type names or "*"
  description           TEXT,
  disabled              INTEGER NOT NULL,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  version               INTEGER NOT NULL,
  secret                TEXT NOT NULL,
  previous_secret       TEXT,
  previous_secret_until INTEGER
) STRICT;
CREATE INDEX webhook_endpoints_by_creation ON webhook_endpoints(created_at, id);
-- One delivery per endpoint and change; the body is kept so retries outlive the log's retention.
CREATE TABLE webhook_deliveries (
  endpoint_id        TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  change_id          INTEGER NOT NULL,
  change_type        TEXT NOT NULL,
  body               TEXT NOT NULL,
  status             TEXT NOT NULL,  -- pending, succeeded, failed
  attempts           INTEGER NOT NULL,
  last_response_code INTEGER,
  last_error         TEXT,
  last_attempt_at    INTEGER,
  next_attempt_at    INTEGER NOT NULL,
  pending_since      INTEGER NOT NULL,  -- creation or the last redelivery: retries count from it
  created_at         INTEGER NOT NULL,
  lease_owner        TEXT,
  lease_until        INTEGER,
  PRIMARY KEY (endpoint_id, change_id)
) STRICT, WITHOUT ROWID;
-- Claims look at each endpoint's pending deliveries by due time, and count its leased ones.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(endpoint_id, next_attempt_at, change_id)
  WHERE status = 'pending';
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries(endpoint_id, lease_until)
  WHERE status = 'pending' AND lease_until IS NOT NULL;
-- The fan-out position: the last change id turned into deliveries, and who may move it.
CREATE TABLE webhook_fan_out (
  singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
  position    INTEGER NOT NULL,
  lease_owner TEXT,
  lease_until INTEGER
) STRICT;
INSERT INTO webhook_fan_out (singleton, position) VALUES (1, 0);
)sql",
    // 9: retention of finished deliveries reads them oldest attempt first.
    R"sql(
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries(last_attempt_at)
  WHERE status <> 'pending';
)sql",
};

Result<int> ReadVersion(Connection& connection) {
  Result<Statement> statement = connection.Prepare("PRAGMA user_version");
  if (!statement.ok()) return std::move(statement).error();
  Result<bool> row = statement->Step();
  if (!row.ok()) return std::move(row).error();
  return *row ? static_cast<int>(statement->Int(0)) : 0;
}

Error TooNew(Connection& connection, int version) {
  connection.logger().Error("sqlite: the database has schema version " + std::to_string(version) +
                            ", newer than this build's " + std::to_string(LatestSchemaVersion()) +
                            "; refusing to use it");
  return Error{
      ErrorCode::kInternal, "the database was written by a newer version of Track Tracker", {}, {}};
}

// Applies migration `target` (1-based) unless another process got there first.
Status ApplyOne(Connection& connection, int target) {
  if (Status status = connection.Exec("BEGIN IMMEDIATE"); !status.ok()) return status;
  auto apply = [&]() -> Status {
    Result<int> current = ReadVersion(connection);
    if (!current.ok()) return std::move(current).error();
    if (*current >= target) return Status::Ok();
    if (Status status = connection.Exec(kMigrations[target - 1]); !status.ok()) return status;
    // PRAGMA takes no parameters; the number is ours, not input.
    const std::string set_version = "PRAGMA user_version = " + std::to_string(target);
    return connection.Exec(set_version.c_str());
  };
  Status status = apply();
  if (!status.ok()) {
    connection.Rollback();
    return status;
  }
  return connection.Exec("COMMIT");
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Result<int> Migrate(Connection& connection) {
  Result<int> version = ReadVersion(connection);
  if (!version.ok()) return version;
  if (*version > LatestSchemaVersion()) return TooNew(connection, *version);
  for (int target = *version + 1; target <= LatestSchemaVersion(); ++target) {
    if (Status status = ApplyOne(connection, target); !status.ok())
      return std::move(status).error();
    connection.logger().Info("sqlite: applied schema migration " + std::to_string(target));
  }
  return ReadVersion(connection);
}

}  // namespace tt::sqlite
