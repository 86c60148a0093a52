#include "storage/sqlite/queries.h"

#include <string>

namespace tt::sqlite {

Result<bool> RowExists(Connection& connection, std::string_view sql, std::string_view key) {
  Result<Statement> statement = connection.Prepare(sql);
  if (!statement.ok()) return std::move(statement).error();
  statement->Bind(1, key);
  return statement->Step();
}

Status RequireUser(Connection& connection, std::string_view id) {
  Result<bool> exists = RowExists(connection, "SELECT 1 FROM users WHERE id = ?1", id);
  if (!exists.ok()) return std::move(exists).error();
  if (!*exists) return Error::NotFound("no such user");
  return Status::Ok();
}

Status RequireAthlete(Connection& connection, std::string_view id) {
  Result<bool> exists = RowExists(connection, "SELECT 1 FROM athletes WHERE id = ?1", id);
  if (!exists.ok()) return std::move(exists).error();
  if (!*exists) return Error::NotFound("no such athlete");
  return Status::Ok();
}

Status CheckVersion(Connection& connection, std::string_view version_sql, std::string_view id,
                    std::optional<int64_t> expected_version, std::string_view not_found_message) {
  Result<Statement> statement = connection.Prepare(version_sql);
  if (!statement.ok()) return std::move(statement).error();
  statement->Bind(1, id);
  Result<bool> row = statement->Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return Error::NotFound(std::string(not_found_message));
  if (expected_version.has_value() && statement->Int(0) != *expected_version) {
    return Error::PreconditionFailed();
  }
  return Status::Ok();
}

Status DeleteVersioned(Connection& connection, std::string_view version_sql,
                       std::string_view delete_sql, std::string_view id,
                       std::optional<int64_t> expected_version,
                       std::string_view not_found_message) {
  if (Status status =
          CheckVersion(connection, version_sql, id, expected_version, not_found_message);
      !status.ok()) {
    return status;
  }
  Result<Statement> remove = connection.Prepare(delete_sql);
  if (!remove.ok()) return std::move(remove).error();
  remove->Bind(1, id);
  return RunChangingOneRow(*remove);
}

Status RunChangingOneRow(Statement& statement) {
  if (Status status = statement.Run(); !status.ok()) return status;
  if (statement.connection().Changes() != 1) {
    statement.connection().logger().Error("sqlite: expected to change one row: " + statement.sql());
    return Error::Internal();
  }
  return Status::Ok();
}

}  // namespace tt::sqlite
