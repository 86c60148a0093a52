// SQLite rows from the field tables of domain/fields.h: column lists and the INSERT and UPDATE
// of a resource, each member in the column of its table name and stored by its type (ToColumn
// and RowReader::Read in rows.h). The text is built from the table once per statement (callers
// keep it in a function-local static), so it is as constant as a literal for the statement cache.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/fields.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/rows.h"

namespace tt::sqlite {

// "c.id, c.name, ..." for every member of `fields`, of the table aliased `alias`.
template <typename Table>
std::string ColumnList(const Table& fields, std::string_view alias) {
  std::string columns;
  ForEachField(fields, [&](const auto& entry) {
    if (!columns.empty()) columns += ", ";
    columns += std::string(alias) + "." + std::string(entry.name);
  });
  return columns;
}

// "INSERT INTO <table> (id, name, ...) VALUES (?1, ?2, ...)" of every member of `fields`, in
// order, for BindFields.
template <typename Table>
std::string InsertSql(std::string_view table, const Table& fields) {
  std::string columns;
  std::string values;
  int parameter = 0;
  ForEachField(fields, [&](const auto& entry) {
    if (parameter > 0) {
      columns += ", ";
      values += ", ";
    }
    columns += entry.name;
    values += "?" + std::to_string(++parameter);
  });
  return "INSERT INTO " + std::string(table) + " (" + columns + ") VALUES (" + values + ")";
}

// "UPDATE <table> SET name = ?2, ... WHERE id = ?1 AND version = ?N" of the members every update
// rewrites (RewrittenByUpdates), on condition of the version read (?N, the last parameter); the
// others (the id, what is set at creation) stay as stored. For BindUpdate.
template <typename Table>
std::string UpdateSql(std::string_view table, const Table& fields) {
  std::string assignments;
  int parameter = 1;
  ForEachField(fields, [&](const auto& entry) {
    if (!RewrittenByUpdates(entry)) return;
    if (!assignments.empty()) assignments += ", ";
    assignments += std::string(entry.name) + " = ?" + std::to_string(++parameter);
  });
  return "UPDATE " + std::string(table) + " SET " + assignments + " WHERE id = ?1 AND version = ?" +
         std::to_string(parameter + 1);
}

// Binds every member of `resource` to parameters 1, 2, ... (InsertSql's).
template <typename Table, typename Resource>
void BindFields(Statement& statement, const Table& fields, const Resource& resource) {
  int parameter = 0;
  ForEachField(fields, [&](const auto& entry) {
    statement.Bind(++parameter, ToColumn(resource.*entry.member));
  });
}

// Binds UpdateSql's parameters: the id, the rewritten members, then `expected_version`.
template <typename Table, typename Resource>
void BindUpdate(Statement& statement, const Table& fields, const Resource& resource,
                int64_t expected_version) {
  statement.Bind(1, resource.id);
  int parameter = 1;
  ForEachField(fields, [&](const auto& entry) {
    if (RewrittenByUpdates(entry)) statement.Bind(++parameter, ToColumn(resource.*entry.member));
  });
  statement.Bind(parameter + 1, expected_version);
}

// Reads every member of `resource` from the row, in the order of `fields` (ColumnList's).
template <typename Table, typename Resource>
void ReadFields(RowReader& row, const Table& fields, Resource& resource) {
  ForEachField(fields, [&](const auto& entry) { row.Read(resource.*entry.member); });
}

}  // namespace tt::sqlite
