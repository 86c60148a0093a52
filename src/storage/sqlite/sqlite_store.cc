// SqliteStore: opening, users, sessions and sign-in throttling. Competitions, athletes and
// follows, events and the feed are in the sibling sqlite_store_*.cc files.
#include "storage/sqlite/sqlite_store.h"

#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "storage/sqlite/competition_cache.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/feed_cache.h"
#include "storage/sqlite/field_rows.h"
#include "storage/sqlite/group_commit.h"
#include "storage/sqlite/queries.h"
#include "storage/sqlite/rows.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/transaction.h"

namespace tt {

using sqlite::Connection;
using sqlite::InSingleStatementRead;
using sqlite::RowReader;
using sqlite::Statement;

namespace {

constexpr char kUserVersion[] = "SELECT version FROM users WHERE id = ?1";
constexpr char kNoSuchUser[] = "no such user";

int DefaultPoolSize() {
  // hardware_concurrency() may answer 0 when it cannot tell.
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency())) + 1;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options,
                                                       Logger& logger) {
  if (options.path.empty()) {
    return Error{ErrorCode::kInternal, "no database path is configured", {}, {}};
  }
  if (options.change_encoder == nullptr) {
    return Error{ErrorCode::kInternal, "the store has no change encoder", {}, {}};
  }
  const std::filesystem::path path(options.path);
  if (path.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) {
      logger.Error("sqlite: cannot create " + path.parent_path().string() + ": " + error.message());
      return Error::Unavailable("cannot create the directory of the database " + options.path +
                                ": " + error.message());
    }
  }

  const int pool_size = options.pool_size > 0 ? options.pool_size : DefaultPoolSize();
  // The checkpointer only copies pages from the WAL into the file, so it keeps SQLite's default.
  const int64_t page_cache_kib =
      static_cast<int64_t>(options.page_cache_bytes / 1024 / static_cast<size_t>(pool_size + 1));
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < pool_size; ++i) {
    Result<std::unique_ptr<Connection>> connection =
        Connection::Open(options.path, logger, page_cache_kib);
    if (!connection.ok()) return std::move(connection).error();
    connections.push_back(std::move(*connection));
  }
  Result<std::unique_ptr<Connection>> writer_connection =
      Connection::Open(options.path, logger, page_cache_kib);
  if (!writer_connection.ok()) return std::move(writer_connection).error();
  Result<std::unique_ptr<Connection>> checkpoint_connection =
      Connection::Open(options.path, logger);
  if (!checkpoint_connection.ok()) return std::move(checkpoint_connection).error();
  // Migrating before the store is shared means no statement is prepared against an old schema.
  Result<int> version = sqlite::Migrate(*connections.front());
  if (!version.ok()) {
    Error error = std::move(version).error();
    error.message = "cannot migrate the database " + options.path + ": " + error.message;
    return error;
  }
  logger.Info("sqlite: opened " + options.path + " at schema version " + std::to_string(*version) +
              " with " + std::to_string(pool_size) + " connections");
  return std::unique_ptr<SqliteStore>(new SqliteStore(
      std::make_unique<sqlite::ConnectionPool>(std::move(connections)),
      std::make_unique<sqlite::GroupCommitter>(std::move(*writer_connection),
                                               std::move(*checkpoint_connection)),
      *version, options, static_cast<uint64_t>(page_cache_kib) * 1024 * (pool_size + 1)));
}

SqliteStore::SqliteStore(std::unique_ptr<sqlite::ConnectionPool> pool,
                         std::unique_ptr<sqlite::GroupCommitter> writer, int schema_version,
                         const SqliteStoreOptions& options, uint64_t page_cache_budget_bytes)
    : pool_(std::move(pool)),
      competitions_(std::make_unique<sqlite::CompetitionCache>(options.competition_cache_bytes)),
      feeds_(std::make_unique<sqlite::FeedCache>(options.feed_cache_bytes)),
      writer_(std::move(writer)),
      schema_version_(schema_version),
      page_cache_budget_bytes_(page_cache_budget_bytes),
      change_encoder_(options.change_encoder),
      clock_(options.clock != nullptr ? *options.clock : TheSystemClock()) {
  writer_->SetCommitObserver([competitions = competitions_.get(),
                              feeds = feeds_.get()](const std::vector<std::string>& changed) {
    // Any note can change a feed. Only competition ids and kEverything change competitions (and
    // so ReadGeneration(kCompetitions)): an event's or a follow's write keeps cached lists.
    feeds->Invalidate(changed);
    std::vector<std::string> competition_notes;
    for (const std::string& key : changed) {
      if (key != sqlite::FeedCache::kFeeds) competition_notes.push_back(key);
    }
    if (!competition_notes.empty()) competitions->Invalidate(competition_notes);
  });
}

SqliteStore::~SqliteStore() = default;

std::optional<uint64_t> SqliteStore::ReadGeneration(ReadScope scope) const {
  switch (scope) {
    case ReadScope::kCompetitions:
      return competitions_->Generation();
    case ReadScope::kFeeds:
      return feeds_->Generation();
  }
  return std::nullopt;
}

std::vector<StoreCounter> SqliteStore::Counters() const {
  std::vector<StoreCounter> counters = {
      {"tt_sqlite_statements_total",
       "SQL statements executed (queries and writes, not transaction control)",
       pool_->statements_run() + writer_->statements_run()},
      {"tt_sqlite_write_batches_total",
       "Write transactions committed, each holding the writes of one or more requests",
       writer_->batches()},
      {"tt_sqlite_writes_total", "Store writes committed (by group commit)", writer_->jobs()},
      {"tt_sqlite_checkpoints_total",
       "WAL checkpoints run beside the writes (see sqlite/group_commit.h)", writer_->checkpoints()},
      {"tt_sqlite_wal_restarts_total",
       "Times the committer finished a checkpoint and started the WAL over", writer_->restarts()}};
  auto add_cache = [&](const std::string& cache, const std::string& reads, const CacheStats& stats,
                       size_t budget_bytes) {
    for (StoreCounter& counter : CacheCounters(
             "tt_sqlite_" + cache + "_cache_", cache + " cache", reads + " answered from the cache",
             stats.hits, reads + " that went to SQLite", stats.misses, stats, budget_bytes)) {
      counters.push_back(std::move(counter));
    }
  };
  add_cache("competition", "Competition reads", competitions_->stats(),
            competitions_->budget_bytes());
  add_cache("feed", "Feed page reads", feeds_->stats(), feeds_->budget_bytes());
  // SQLite's own count (memory statistics are on in its default build), page caches included.
  sqlite3_int64 sqlite_bytes = 0;
  sqlite3_int64 sqlite_high_water = 0;
  if (sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &sqlite_bytes, &sqlite_high_water, 0) ==
      SQLITE_OK) {
    counters.push_back({"tt_sqlite_memory_bytes",
                        "Heap memory SQLite holds in this process, its page caches included",
                        static_cast<uint64_t>(sqlite_bytes), true});
  }
  counters.push_back({"tt_sqlite_page_cache_budget_bytes",
                      "The byte budget of SQLite's page caches (0: SQLite's default)",
                      page_cache_budget_bytes_, true});
  return counters;
}

Async<Status> SqliteStore::Ping() {
  // Reads a page of the file, so a deleted or unreadable file fails the probe.
  co_return InSingleStatementRead(*pool_, [&](Connection& connection) -> Status {
    Result<Statement> statement = connection.Prepare("SELECT 1 FROM users LIMIT 1");
    if (!statement.ok()) return std::move(statement).error();
    return statement->Run();
  });
}

// ---- Users ------------------------------------------------------------------------------

Async<Status> SqliteStore::CreateUser(const User& user, const std::string& password_hash) {
  const std::string username_key = UsernameKey(user.username);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    // Checked first, so that a taken username is told apart from a duplicate id.
    Result<bool> taken =
        sqlite::RowExists(connection, "SELECT 1 FROM users WHERE username_key = ?1", username_key);
    if (!taken.ok()) return std::move(taken).error();
    if (*taken) return Error::Conflict("the username is taken");

    // is_athlete is not a column (kDerived); the username key and the password hash are.
    static const std::string kInsert =
        sqlite::InsertSql("users", kUserFields, {"username_key", "password_hash"});
    Status status =
        sqlite::InsertRow(connection, kInsert, kUserFields, user, username_key, password_hash);
    if (!status.ok() && status.error().code == ErrorCode::kConflict) {
      return Error::Conflict("a user with this id already exists");
    }
    return status;
  });
}

Async<Result<User>> SqliteStore::GetUser(std::string_view id) {
  co_return InSingleStatementRead(*pool_, [&](Connection& connection) -> Result<User> {
    static const std::string kSelect =
        "SELECT " + sqlite::UserColumns() + " FROM users u WHERE u.id = ?1";
    Result<Statement> select = connection.Prepare(kSelect);
    if (!select.ok()) return std::move(select).error();
    select->Bind(1, id);
    return sqlite::ReadOneRow(*select, &sqlite::ReadUser, kNoSuchUser);
  });
}

Async<Result<UserCredentials>> SqliteStore::FindUserByUsername(std::string_view username) {
  const std::string username_key = UsernameKey(username);
  co_return InSingleStatementRead(*pool_, [&](Connection& connection) -> Result<UserCredentials> {
    static const std::string kSelect = "SELECT " + sqlite::UserColumns() +
                                       ", u.password_hash FROM users u WHERE u.username_key = ?1";
    Result<Statement> select = connection.Prepare(kSelect);
    if (!select.ok()) return std::move(select).error();
    select->Bind(1, username_key);
    Result<bool> row = select->Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return Error::NotFound(kNoSuchUser);
    RowReader reader(*select);
    Result<User> user = sqlite::ReadUser(reader);
    if (!user.ok()) return std::move(user).error();
    return UserCredentials{std::move(*user), reader.Text()};
  });
}

Async<Status> SqliteStore::UpdateUser(const User& user, int64_t expected_version,
                                      const std::optional<std::string>& new_password_hash,
                                      std::string_view keep_session_hash) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    if (Status status =
            sqlite::CheckVersion(connection, kUserVersion, user.id, expected_version, kNoSuchUser);
        !status.ok()) {
      return status;
    }
    static const std::string kUpdate = sqlite::UpdateSql("users", kUserFields);
    if (Status status = sqlite::UpdateRow(connection, kUpdate, kUserFields, user, expected_version);
        !status.ok()) {
      return status;
    }
    if (!new_password_hash.has_value()) return Status::Ok();

    if (Status status =
            sqlite::RunStatement(connection, "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                                 user.id, *new_password_hash);
        !status.ok()) {
      return status;
    }
    // A password change signs out every other session: whoever knew the old password may hold
    // one.
    return sqlite::RunStatement(connection,
                                "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2",
                                user.id, keep_session_hash);
  });
}

Async<Status> SqliteStore::DeleteUser(std::string_view id,
                                      std::optional<int64_t> expected_version) {
  const std::string change = change_encoder_->Deleted(id);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    // The foreign keys do the rest: sessions, the athlete profile (and through it its events
    // and followers) and the user's own follows cascade; competitions' created_by becomes NULL,
    // so cached competitions may be stale.
    writer_->NoteChanged(std::string(sqlite::CompetitionCache::kEverything));
    if (Status status =
            sqlite::DeleteVersioned(connection, kUserVersion, "DELETE FROM users WHERE id = ?1", id,
                                    expected_version, kNoSuchUser);
        !status.ok()) {
      return status;
    }
    return AppendChange(connection, ChangeType::kUserDeleted, change);
  });
}

// ---- Sessions and sign-in throttling ----------------------------------------------------

Async<Status> SqliteStore::CreateSession(const Session& session) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    if (Status status = sqlite::RequireUser(connection, session.user_id); !status.ok()) {
      return std::move(status).error();
    }

    // Sessions are only ever found by token, so expired ones would pile up; the user's own are
    // swept here, where the index on (user_id, expires_at) makes it cheap.
    if (Status status = sqlite::RunStatement(
            connection, "DELETE FROM sessions WHERE user_id = ?1 AND expires_at <= ?2",
            session.user_id, sqlite::Micros(session.created_at));
        !status.ok()) {
      return status;
    }
    return sqlite::RunStatement(connection,
                                "INSERT INTO sessions (token_hash, user_id, created_at, "
                                "expires_at) VALUES (?1, ?2, ?3, ?4)",
                                session.token_hash, session.user_id,
                                sqlite::Micros(session.created_at),
                                sqlite::Micros(session.expires_at));
  });
}

Async<Result<std::pair<Session, User>>> SqliteStore::FindSession(std::string_view token_hash) {
  co_return InSingleStatementRead(
      *pool_, [&](Connection& connection) -> Result<std::pair<Session, User>> {
        static const std::string kSelect =
            "SELECT s.token_hash, s.user_id, s.created_at, s.expires_at, " + sqlite::UserColumns() +
            " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1";
        Result<Statement> select = connection.Prepare(kSelect);
        if (!select.ok()) return std::move(select).error();
        select->Bind(1, token_hash);
        Result<bool> row = select->Step();
        if (!row.ok()) return std::move(row).error();
        if (!*row) return Error::NotFound("no such session");
        RowReader reader(*select);
        Session session;
        session.token_hash = reader.Text();
        session.user_id = reader.Text();
        session.created_at = reader.Time();
        session.expires_at = reader.Time();
        Result<User> user = sqlite::ReadUser(reader);
        if (!user.ok()) return std::move(user).error();
        return std::pair<Session, User>(std::move(session), std::move(*user));
      });
}

Async<Status> SqliteStore::DeleteSession(std::string_view token_hash) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    return sqlite::RunStatement(connection, "DELETE FROM sessions WHERE token_hash = ?1",
                                token_hash);
  });
}

Async<Status> SqliteStore::RecordSignInFailure(std::string_view username_key, Timestamp at) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    if (Status inserted = sqlite::RunStatement(
            connection, "INSERT INTO sign_in_failures (username_key, at) VALUES (?1, ?2)",
            username_key, sqlite::Micros(at));
        !inserted.ok()) {
      return inserted;
    }
    // Failures of usernames that never sign in again would otherwise pile up for ever.
    return sqlite::RunStatement(connection, "DELETE FROM sign_in_failures WHERE at < ?1",
                                sqlite::Micros(at - kSignInFailureRetention));
  });
}

Async<Result<std::vector<Timestamp>>> SqliteStore::SignInFailuresSince(
    std::string_view username_key, Timestamp since) {
  co_return InSingleStatementRead(
      *pool_, [&](Connection& connection) -> Result<std::vector<Timestamp>> {
        Result<Statement> select = connection.Prepare(
            "SELECT at FROM sign_in_failures WHERE username_key = ?1 AND at >= ?2 ORDER BY at");
        if (!select.ok()) return std::move(select).error();
        select->BindAll(username_key, sqlite::Micros(since));
        std::vector<Timestamp> failures;
        while (true) {
          Result<bool> row = select->Step();
          if (!row.ok()) return std::move(row).error();
          if (!*row) return failures;
          failures.push_back(sqlite::TimestampOf(select->Int(0)));
        }
      });
}

Async<Status> SqliteStore::ClearSignInFailures(std::string_view username_key) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    return sqlite::RunStatement(connection, "DELETE FROM sign_in_failures WHERE username_key = ?1",
                                username_key);
  });
}

}  // namespace tt
