// Runs a piece of SqliteStore's reading in one transaction on a pooled connection, retrying it
// briefly when SQLite reports lock contention. (Writes go through group_commit.h.)
#pragma once

#include <chrono>
#include <thread>
#include <type_traits>
#include <utility>

#include "storage/sqlite/connection.h"

namespace tt::sqlite {

enum class TransactionKind {
  // A deferred transaction: the reads in it see one snapshot, and it never blocks writers (WAL).
  kRead,
  // No BEGIN or COMMIT, for a body that runs exactly one statement: SQLite runs a lone
  // statement in a read transaction of its own (autocommit), which sees one snapshot, so two
  // more round trips through the VDBE would buy nothing.
  kSingleStatementRead,
};

// Calls `body(Connection&)` between BEGIN and COMMIT and returns what it returns (a Status or a
// Result<T>). An error from `body` rolls everything back. When the failure was lock contention
// (after busy_timeout already waited), the whole transaction is tried again a few times, so
// `body` must not have effects outside the database.
template <typename Body>
std::invoke_result_t<Body&, Connection&> InTransaction(ConnectionPool& pool, TransactionKind kind,
                                                       Body&& body) {
  using Outcome = std::invoke_result_t<Body&, Connection&>;
  constexpr int kMaxAttempts = 3;

  ConnectionPool::Lease connection = pool.Acquire();
  for (int attempt = 1;; ++attempt) {
    connection->ClearFailure();
    Outcome outcome = [&]() -> Outcome {
      if (kind == TransactionKind::kSingleStatementRead) return body(*connection);
      Status begin = connection->Control("BEGIN");
      if (!begin.ok()) return std::move(begin).error();
      Outcome result = [&]() -> Outcome {
        try {
          return body(*connection);
        } catch (...) {
          // A bug (or bad_alloc) must not hand the connection back mid-transaction.
          connection->Rollback();
          throw;
        }
      }();
      if (!result.ok()) {
        connection->Rollback();
        return result;
      }
      if (Status commit = connection->Control("COMMIT"); !commit.ok()) {
        connection->Rollback();
        return std::move(commit).error();
      }
      return result;
    }();
    if (outcome.ok() || !connection->WasContention() || attempt == kMaxAttempts) return outcome;
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt * attempt));
  }
}

template <typename Body>
std::invoke_result_t<Body&, Connection&> InReadTransaction(ConnectionPool& pool, Body&& body) {
  return InTransaction(pool, TransactionKind::kRead, std::forward<Body>(body));
}

// For bodies that run exactly one statement (see kSingleStatementRead).
template <typename Body>
std::invoke_result_t<Body&, Connection&> InSingleStatementRead(ConnectionPool& pool, Body&& body) {
  return InTransaction(pool, TransactionKind::kSingleStatementRead, std::forward<Body>(body));
}

}  // namespace tt::sqlite
