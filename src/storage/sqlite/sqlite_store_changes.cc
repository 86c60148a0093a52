// SqliteStore: the change log (table `changes`, schema migration 7).
#include <string>
#include <utility>

#include "storage/sqlite/connection.h"
#include "storage/sqlite/group_commit.h"
#include "storage/sqlite/queries.h"
#include "storage/sqlite/rows.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/sqlite/transaction.h"

namespace tt {

using sqlite::Connection;
using sqlite::RowReader;
using sqlite::Statement;

namespace {

// Rows one retention job deletes (DeleteInBatches).
constexpr int kDeleteBatch = 2000;

Result<Change> ReadChange(RowReader& row) {
  Change change;
  change.id = row.Int();
  const std::optional<ChangeType> type = row.ParsedText(ParseChangeType);
  change.occurred_at = row.Time();
  change.data = row.Text();
  if (Status status = row.Check("change"); !status.ok()) return std::move(status).error();
  change.type = *type;  // Check failed when it did not parse
  return change;
}

}  // namespace

Status SqliteStore::AppendChange(Connection& connection, ChangeType type, std::string_view data) {
  return sqlite::RunStatement(connection,
                              "INSERT INTO changes (type, occurred_at, data) VALUES (?1, ?2, ?3)",
                              ChangeTypeName(type), sqlite::Micros(clock_.Now()), data);
}

Async<Result<Page<Change>>> SqliteStore::ListChanges(const ChangeQuery& query) {
  const int limit = sqlite::PageLimit(query.limit);
  co_return sqlite::InSingleStatementRead(
      *pool_, [&](Connection& connection) -> Result<Page<Change>> {
        Result<Statement> select = connection.Prepare(
            "SELECT id, type, occurred_at, data FROM changes WHERE id > ?1 ORDER BY id LIMIT ?2");
        if (!select.ok()) return std::move(select).error();
        select->BindAll(query.after, limit + 1);
        return sqlite::ReadPage(*select, &ReadChange, limit);
      });
}

Async<Result<int64_t>> SqliteStore::DeleteChangesBefore(Timestamp before) {
  // The oldest ids, up to the first that is not older than `before`: rows are appended in time
  // order, so this reads only the rows it deletes and one more.
  co_return co_await DeleteInBatches(
      "DELETE FROM changes WHERE id IN (SELECT id FROM changes"
      " WHERE id < coalesce((SELECT id FROM changes WHERE occurred_at >= ?1 ORDER BY id"
      " LIMIT 1), 9223372036854775807) ORDER BY id LIMIT ?2)",
      before);
}

Async<Result<int64_t>> SqliteStore::DeleteInBatches(const char* statement, Timestamp before) {
  int64_t deleted = 0;
  while (true) {
    Result<int64_t> batch = co_await writer_->Run([&](Connection& connection) -> Result<int64_t> {
      if (Status status =
              sqlite::RunStatement(connection, statement, sqlite::Micros(before), kDeleteBatch);
          !status.ok()) {
        return std::move(status).error();
      }
      return connection.Changes();
    });
    if (!batch.ok()) co_return std::move(batch).error();
    deleted += *batch;
    if (*batch < kDeleteBatch) co_return deleted;
  }
}

}  // namespace tt
