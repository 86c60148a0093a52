#include "storage/sqlite/connection.h"

#include <string>
#include <utility>

#include "domain/case_folding.h"

namespace tt::sqlite {
namespace {

// How long one SQLite call waits on a lock held by another connection before answering BUSY.
// This process has one writer (the group committer), so this mostly covers other processes
// (backups, the sqlite3 shell) and WAL checkpoints.
constexpr int kBusyTimeoutMs = 2000;

}  // namespace

Error ErrorFromResultCode(int result_code) {
  switch (result_code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Error::Conflict("it already exists");
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Error::NotFound("an item it refers to does not exist");
    default:
      break;
  }
  switch (result_code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::Unavailable("storage is busy, try again");
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return Error::Unavailable();
    default:
      return Error::Internal();
  }
}

bool IsContention(int result_code) {
  const int primary = result_code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

// ---- Connection ---------------------------------------------------------------------------

namespace {

// tt_fold(text): the domain's FoldCase, so that SQL matches text case-insensitively beyond
// ASCII exactly as the rest of the program does (SQLite's lower() folds ASCII only).
void FoldCaseFunction(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const int bytes = sqlite3_value_bytes(argv[0]);
  std::string folded = FoldCase(std::string_view(text == nullptr ? "" : text, bytes));
  sqlite3_result_text(context, folded.data(), static_cast<int>(folded.size()), SQLITE_TRANSIENT);
}

// tt_in_set(set, text): 1 when `text` is in the TextSet bound as `set`, else 0; NULL when
// either is missing (a set not bound through Statement::Bind reads as missing).
void InSetFunction(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  const auto* set =
      static_cast<const TextSet*>(sqlite3_value_pointer(argv[0], kTextSetPointerType));
  if (set == nullptr || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  const int bytes = sqlite3_value_bytes(argv[1]);
  sqlite3_result_int(context, set->Contains(std::string_view(text == nullptr ? "" : text, bytes)));
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, Logger& logger,
                                                     int64_t page_cache_kib) {
  sqlite3* db = nullptr;
  // NOMUTEX: the pool lends a connection to one thread at a time, so SQLite's own per-connection
  // mutex would only cost time. EXRESCODE: extended codes tell UNIQUE from FOREIGN KEY.
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
      nullptr);
  // Even a failed open may allocate a handle, which the Connection then closes.
  std::unique_ptr<Connection> connection(new Connection(db, logger));
  // Start-up errors go to an operator, so they say which file and why (SQLite's generic text
  // for the code, never its detailed message).
  auto open_error = [&](Error error) {
    error.message =
        "cannot open the database " + path + ": " + sqlite3_errstr(connection->last_failure());
    return error;
  };
  if (rc != SQLITE_OK) return open_error(connection->Fail(rc, "open " + path));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  const int registered = sqlite3_create_function_v2(
      db, "tt_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
      &FoldCaseFunction, nullptr, nullptr, nullptr);
  if (registered != SQLITE_OK) return open_error(connection->Fail(registered, "tt_fold"));
  // Not DETERMINISTIC: its answer depends on what the pointer points at, not on SQL values.
  const int registered_in_set =
      sqlite3_create_function_v2(db, "tt_in_set", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr,
                                 &InSetFunction, nullptr, nullptr, nullptr);
  if (registered_in_set != SQLITE_OK) {
    return open_error(connection->Fail(registered_in_set, "tt_in_set"));
  }

  {
    // Setting WAL is persistent in the file but answers the mode in force, which is not WAL
    // when the file system cannot share memory between processes. It is also the first
    // statement to read the file, so it is where a file that is not a database fails.
    Result<Statement> journal = connection->Prepare("PRAGMA journal_mode = WAL");
    if (!journal.ok()) return open_error(std::move(journal).error());
    Result<bool> row = journal->Step();
    if (!row.ok()) return open_error(std::move(row).error());
    if (!*row || journal->Text(0) != "wal") {
      logger.Error("sqlite: cannot switch " + path + " to WAL journal mode");
      return Error{ErrorCode::kInternal,
                   "cannot open the database " + path + ": it cannot use WAL journal mode",
                   {},
                   {}};
    }
  }
  // FULL: each commit syncs the WAL, so a write that returned OK survives power loss (NORMAL
  // would only survive a crash of the process). Foreign keys are off by default per connection.
  for (const char* pragma :
       {"PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON", "PRAGMA trusted_schema = OFF"}) {
    if (Status status = connection->Exec(pragma); !status.ok()) {
      return open_error(std::move(status).error());
    }
  }
  if (page_cache_kib > 0) {
    // A negative cache_size is a size in KiB rather than in pages. The number is configuration,
    // never request input, and PRAGMA takes no parameters.
    const std::string cache_size = "PRAGMA cache_size = -" + std::to_string(page_cache_kib);
    if (Status status = connection->Exec(cache_size.c_str()); !status.ok()) {
      return open_error(std::move(status).error());
    }
  }
  connection->opening_ = false;
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, cached] : statements_) sqlite3_finalize(cached->statement);
  for (auto& [sql, statement] : control_statements_) sqlite3_finalize(statement);
  // close_v2 never fails with BUSY; it defers the close until the last statement is gone.
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* statement = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) return Fail(rc, std::string("prepare ") + std::string(sql));
    auto cached = std::make_unique<CachedStatement>();
    cached->statement = statement;
    it = statements_.emplace(std::string(sql), std::move(cached)).first;
  }
  CachedStatement& cached = *it->second;
  if (cached.in_use) {
    logger_.Error("sqlite: statement used twice at once: " + std::string(sql));
    return Error::Internal();
  }
  return Statement(this, cached.statement, &cached.in_use);
}

Status Connection::Exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Fail(rc, sql);
  return Status::Ok();
}

Status Connection::Control(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  for (const auto& [cached_sql, cached] : control_statements_) {
    if (cached_sql == sql) statement = cached;
  }
  if (statement == nullptr) {
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) return Fail(rc, sql);
    control_statements_.emplace_back(std::string(sql), statement);
  }
  const int rc = sqlite3_step(statement);
  sqlite3_reset(statement);
  if (rc != SQLITE_DONE) return Fail(rc, sql);
  return Status::Ok();
}

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

void Connection::Rollback() {
  if (sqlite3_get_autocommit(db_) != 0) return;
  const int rc = sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    logger_.Error(std::string("sqlite: ROLLBACK: ") + sqlite3_errstr(rc) + ": " +
                  sqlite3_errmsg(db_));
  }
}

Error Connection::Fail(int result_code, std::string_view what) {
  last_failure_ = result_code;
  Error error = ErrorFromResultCode(result_code);
  std::string line = "sqlite: ";
  line += what;
  line += ": ";
  line += sqlite3_errstr(result_code);
  line += " (";
  line += std::to_string(result_code);
  line += ")";
  if (db_ != nullptr) {
    line += ": ";
    line += sqlite3_errmsg(db_);
  }
  if (error.code == ErrorCode::kConflict || opening_) {
    logger_.Log(LogLevel::kDebug, line);
  } else if (IsContention(result_code)) {
    logger_.Warn(line);
  } else {
    logger_.Error(line);
  }
  return error;
}

// ---- ConnectionPool -----------------------------------------------------------------------

uint64_t ConnectionPool::statements_run() const {
  uint64_t total = 0;
  for (const auto& connection : connections_) total += connection->statements_run();
  return total;
}

ConnectionPool::ConnectionPool(std::vector<std::unique_ptr<Connection>> connections)
    : connections_(std::move(connections)) {
  for (const auto& connection : connections_) free_.push_back(connection.get());
}

ConnectionPool::Lease ConnectionPool::Acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [this] { return !free_.empty(); });
  Connection* connection = free_.back();
  free_.pop_back();
  return Lease(this, connection);
}

void ConnectionPool::Return(Connection* connection) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(connection);
  }
  available_.notify_one();
}

}  // namespace tt::sqlite
