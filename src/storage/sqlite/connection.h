// A thin RAII layer over the SQLite C API for SqliteStore: a Connection owns one sqlite3* and
// caches its prepared statements; a Statement is a borrowed, bound and stepping use of one of
// them; a ConnectionPool hands connections to threads one at a time.
//
// SQLite result codes are translated to tt::Error here and nowhere else (see Connection::Fail):
// the SQLite message goes to the log, the Error carries only a safe sentence.
//
// Thread-safety: a Connection and its Statements must be used by one thread at a time (the
// connections are opened with SQLITE_OPEN_NOMUTEX); ConnectionPool is thread-safe.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "domain/error.h"
#include "log/logger.h"
#include "storage/sqlite/text_set.h"

namespace tt::sqlite {

class Connection;

// The Error for a failed SQLite call, from its (extended) result code. Pure; does not log.
//   UNIQUE / PRIMARY KEY violation                 -> kConflict
//   FOREIGN KEY violation                          -> kNotFound (a referenced row is gone)
//   BUSY, LOCKED, FULL, READONLY, IOERR, CANTOPEN  -> kUnavailable (with Retry-After)
//   anything else (CORRUPT, NOTADB, MISUSE, ...)   -> kInternal
Error ErrorFromResultCode(int result_code);

// True for result codes that a short wait and a retry can cure (lock contention).
bool IsContention(int result_code);

// One use of a cached prepared statement: bind parameters, step through rows, read columns.
// On destruction the statement is reset and its bindings cleared, so that it ends any read it
// had open and can be handed out again. Move-only.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQL `?1`. Text is copied. A failed bind is reported by the
  // next Step() or Run().
  void Bind(int index, std::string_view text);
  void Bind(int index, const char* text) { Bind(index, std::string_view(text)); }
  void Bind(int index, const std::string& text) { Bind(index, std::string_view(text)); }
  void Bind(int index, int64_t value);
  void Bind(int index, int value) { Bind(index, static_cast<int64_t>(value)); }
  void Bind(int index, bool value) { Bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  void Bind(int index, std::nullopt_t);
  // Binds a pointer to `set` (for tt_in_set), which must outlive the statement's use.
  void Bind(int index, const TextSet& set);
  template <typename T>
  void Bind(int index, const std::optional<T>& value) {
    if (value.has_value()) {
      Bind(index, *value);
    } else {
      Bind(index, std::nullopt);
    }
  }
  // Binds `values` to parameters 1, 2, 3, ...
  template <typename... Values>
  void BindAll(const Values&... values) {
    int index = 0;
    (Bind(++index, values), ...);
  }

  // Advances to the next row: true when one is available, false when the statement is done.
  Result<bool> Step();
  // Steps until done, for statements that return no rows (or whose rows do not matter).
  Status Run();

  // Columns of the current row, 0-based. REQUIRES: the last Step() returned true.
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string Text(int column) const;
  // The column's text without a copy, valid until the next Step() or the statement's end.
  std::string_view TextView(int column) const;
  std::optional<std::string> OptionalText(int column) const;

  Connection& connection() const { return *connection_; }
  std::string sql() const { return sqlite3_sql(statement_); }

 private:
  friend class Connection;
  Statement(Connection* connection, sqlite3_stmt* statement, bool* in_use);

  Connection* connection_;
  sqlite3_stmt* statement_;
  bool* in_use_;
  int bind_error_ = SQLITE_OK;
};

// One open database connection with its cache of prepared statements.
class Connection {
 public:
  // Opens `path` (creating the file when missing) and configures the connection: WAL journal,
  // synchronous=FULL, foreign keys on, a busy timeout, and a page cache of at most
  // `page_cache_kib` KiB (0 keeps SQLite's default of 2 MiB). Errors are translated and logged,
  // and their message names the path and the cause, for the operator.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, Logger& logger,
                                                  int64_t page_cache_kib = 0);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The prepared statement for `sql`, compiled on first use and cached for the connection's
  // lifetime. `sql` must be a constant (never text built from input). A statement cannot be
  // used twice at once on one connection; doing so is a bug and answers kInternal.
  Result<Statement> Prepare(std::string_view sql);

  // Runs constant SQL without parameters (pragmas, migrations); parsed on every call.
  Status Exec(const char* sql);

  // Runs one constant transaction-control statement (BEGIN, COMMIT), prepared once per
  // connection; not counted in statements_run().
  Status Control(std::string_view sql);

  // Whether a transaction is open (SQLite ends one on its own after some I/O errors).
  bool InTransaction() const;

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;

  // Rolls back the open transaction, if any (SQLite ends some on its own after an I/O error).
  // Leaves WasContention() alone; a failure is only logged, as the caller already has an error.
  void Rollback();

  // Translates `result_code` to an Error and logs the SQLite message with `what` (the failing
  // operation) and remembers the code for WasContention(). Expected outcomes (constraint
  // conflicts) are logged at debug level, contention as a warning, the rest as errors.
  Error Fail(int result_code, std::string_view what);

  // Whether the last failure since ClearFailure() was lock contention, so that the caller can
  // retry the whole transaction.
  bool WasContention() const { return IsContention(last_failure_); }
  int last_failure() const { return last_failure_; }
  void ClearFailure() { last_failure_ = SQLITE_OK; }

  Logger& logger() const { return logger_; }
  // The raw handle, for the few SQLite calls this class does not wrap (WAL hooks and
  // checkpoints in group_commit.cc).
  sqlite3* handle() const { return db_; }

  // Prepared statements this connection has started executing (not counting transaction
  // control), for the store's counters. Any thread may read it.
  uint64_t statements_run() const { return statements_run_.load(std::memory_order_relaxed); }
  void CountStatement() { statements_run_.fetch_add(1, std::memory_order_relaxed); }

 private:
  struct CachedStatement {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
  };
  // Lets the cache be searched with a string_view, without building a std::string per call.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>()(sql); }
  };

  Connection(sqlite3* db, Logger& logger) : db_(db), logger_(logger) {}

  sqlite3* db_;
  Logger& logger_;
  int last_failure_ = SQLITE_OK;
  // While Open() runs, failures go back to the operator as the start-up error; logging them
  // too would print the same problem twice.
  bool opening_ = true;
  std::atomic<uint64_t> statements_run_{0};
  // Keyed by the SQL text itself; the statements are finalized before the connection closes.
  std::unordered_map<std::string, std::unique_ptr<CachedStatement>, SqlHash, std::equal_to<>>
      statements_;
  // Control()'s statements, a handful, by their SQL; finalized with the others.
  std::vector<std::pair<std::string, sqlite3_stmt*>> control_statements_;
};

// A fixed set of connections to one database file, for reads. Each connection is lent to one
// thread at a time; a thread that finds none free waits for one.
class ConnectionPool {
 public:
  // A connection lent by the pool; returned to it on destruction.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), connection_(other.connection_) {
      other.connection_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (connection_ != nullptr) pool_->Return(connection_);
    }
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, Connection* connection) : pool_(pool), connection_(connection) {}
    ConnectionPool* pool_;
    Connection* connection_;
  };

  // REQUIRES: !connections.empty()
  explicit ConnectionPool(std::vector<std::unique_ptr<Connection>> connections);

  Lease Acquire();
  size_t size() const { return connections_.size(); }
  // The sum of every connection's statements_run().
  uint64_t statements_run() const;

 private:
  void Return(Connection* connection);

  std::vector<std::unique_ptr<Connection>> connections_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Connection*> free_;  // guarded by mutex_
};

}  // namespace tt::sqlite
