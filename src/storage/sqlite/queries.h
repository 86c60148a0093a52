// Small query patterns that several SqliteStore methods share. Each runs inside the caller's
// transaction on the caller's connection.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "domain/competition.h"
#include "domain/error.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/rows.h"

namespace tt::sqlite {

// Whether `sql`, a query with one parameter ?1 bound to `key`, returns a row.
Result<bool> RowExists(Connection& connection, std::string_view sql, std::string_view key);

// kNotFound ("no such user" / "no such athlete") unless the user or athlete `id` exists.
Status RequireUser(Connection& connection, std::string_view id);
Status RequireAthlete(Connection& connection, std::string_view id);

// Checks that the row whose version `version_sql` selects for ?1 = `id` exists (else kNotFound
// with `not_found_message`) and, when `expected_version` is given, has that version (else
// kPreconditionFailed). Run it in the write transaction that then changes the row, so the
// answer still holds when the change is made.
Status CheckVersion(Connection& connection, std::string_view version_sql, std::string_view id,
                    std::optional<int64_t> expected_version, std::string_view not_found_message);

// Deletes the row that `delete_sql` addresses with ?1 = `id`, after CheckVersion with the other
// arguments; what the foreign keys cascade goes with it.
Status DeleteVersioned(Connection& connection, std::string_view version_sql,
                       std::string_view delete_sql, std::string_view id,
                       std::optional<int64_t> expected_version, std::string_view not_found_message);

// Runs a statement whose parameters are already bound and that changes exactly the row it
// addresses; kInternal (a bug: the caller checked the row first) when it changed none.
Status RunChangingOneRow(Statement& statement);

// Prepares `sql` (constant text), binds `values` to ?1, ?2, ... and runs it to the end: for
// writes, and statements whose rows do not matter.
template <typename... Values>
Status RunStatement(Connection& connection, std::string_view sql, const Values&... values) {
  Result<Statement> statement = connection.Prepare(sql);
  if (!statement.ok()) return std::move(statement).error();
  statement->BindAll(values...);
  return statement->Run();
}

// The same for a statement that changes exactly the row it addresses, as above: the UPDATE of a
// row whose version CheckVersion has checked in the same transaction.
template <typename... Values>
Status RunChangingOneRow(Connection& connection, std::string_view sql, const Values&... values) {
  Result<Statement> statement = connection.Prepare(sql);
  if (!statement.ok()) return std::move(statement).error();
  statement->BindAll(values...);
  return RunChangingOneRow(*statement);
}

// The page size a list may fetch: `limit` rows, at least one. Lists fetch one row more than
// that to learn whether more follow.
inline int PageLimit(int limit) { return std::max(limit, 1); }

// Where a page of a list ordered by (time, id) starts: the two parameters of its keyset condition
// `(t, id) > (?, ?)` (or `<` for newest first). The cursor's position, or for the first page
// `first_page_time` (a time beyond every stored one on the side the list starts from) and "".
struct TimeKeyset {
  int64_t time = 0;
  std::string id;
};
template <typename Cursor>
TimeKeyset KeysetOf(const std::optional<Cursor>& cursor, Timestamp Cursor::*time,
                    int64_t first_page_time) {
  if (!cursor.has_value()) return TimeKeyset{first_page_time, std::string()};
  return TimeKeyset{Micros((*cursor).*time), cursor->id};
}

// Turns `limit + 1` fetched rows into a page.
template <typename T>
Page<T> MakePage(std::vector<T> rows, int limit) {
  Page<T> page;
  page.has_more = rows.size() > static_cast<size_t>(limit);
  if (page.has_more) rows.resize(static_cast<size_t>(limit));
  page.items = std::move(rows);
  return page;
}

// The page a list statement gives: every row of `statement`, whose parameters ask for `limit + 1`
// rows, each read by `read_row(RowReader&)` (which returns a Result), made into a page of `limit`.
template <typename ReadRow>
auto ReadPage(Statement& statement, ReadRow read_row, int limit) -> Result<Page<RowOf<ReadRow>>> {
  Result<std::vector<RowOf<ReadRow>>> rows = ReadAllRows(statement, read_row);
  if (!rows.ok()) return std::move(rows).error();
  return MakePage(std::move(*rows), limit);
}

}  // namespace tt::sqlite
