// SQLite rows from the field tables of domain/fields.h: column lists and the INSERT and UPDATE
// of a resource, each member in the column of its table name and stored by its type (ToColumn
// and RowReader::Read in rows.h). The text is built from the table once per statement (callers
// keep it in a function-local static), so it is as constant as a literal for the statement cache.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "domain/fields.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/queries.h"
#include "storage/sqlite/rows.h"

namespace tt::sqlite {

// What a SELECT reads for a member the stores derive (FieldWrite::kDerived): `sql`, an expression
// over the statement's tables, for the member named `field`.
struct DerivedColumn {
  std::string_view field;
  std::string_view sql;
};

// "c.id, c.name, ..." for every member of `fields`, of the table aliased `alias`; a derived
// member as the expression `derived` gives for it (one missing is looked for as a column of
// `alias`, which the table lacks, so the statement does not prepare).
template <typename Table>
std::string ColumnList(const Table& fields, std::string_view alias,
                       std::initializer_list<DerivedColumn> derived = {}) {
  std::string columns;
  ForEachField(fields, [&](const auto& entry) {
    if (!columns.empty()) columns += ", ";
    if (IsDerived(entry)) {
      for (const DerivedColumn& column : derived) {
        if (column.field == entry.name) {
          columns += column.sql;
          return;
        }
      }
    }
    columns += std::string(alias) + "." + std::string(entry.name);
  });
  return columns;
}

// "INSERT INTO <table> (id, name, ..., key, ...) VALUES (?1, ?2, ...)" of every stored member of
// `fields` (not the derived ones), in order, then of `extra_columns`, the columns the caller
// computes from the resource (folded keys and the like); for BindFields.
template <typename Table>
std::string InsertSql(std::string_view table, const Table& fields,
                      std::initializer_list<std::string_view> extra_columns = {}) {
  std::string columns;
  std::string values;
  int parameter = 0;
  const auto add = [&](std::string_view column) {
    if (parameter > 0) {
      columns += ", ";
      values += ", ";
    }
    columns += column;
    values += "?" + std::to_string(++parameter);
  };
  ForEachField(fields, [&](const auto& entry) {
    if (!IsDerived(entry)) add(entry.name);
  });
  for (const std::string_view column : extra_columns) add(column);
  return "INSERT INTO " + std::string(table) + " (" + columns + ") VALUES (" + values + ")";
}

// "UPDATE <table> SET name = ?2, ..., key = ?K, ... WHERE id = ?1 AND version = ?N" of the
// members every update rewrites (RewrittenByUpdates), then of `extra_columns` (as InsertSql's),
// on condition of the version read (?N, the last parameter); the others (the id, what is set at
// creation) stay as stored. For BindUpdate.
template <typename Table>
std::string UpdateSql(std::string_view table, const Table& fields,
                      std::initializer_list<std::string_view> extra_columns = {}) {
  std::string assignments;
  int parameter = 1;
  const auto add = [&](std::string_view column) {
    if (!assignments.empty()) assignments += ", ";
    assignments += std::string(column) + " = ?" + std::to_string(++parameter);
  };
  ForEachField(fields, [&](const auto& entry) {
    if (RewrittenByUpdates(entry)) add(entry.name);
  });
  for (const std::string_view column : extra_columns) add(column);
  return "UPDATE " + std::string(table) + " SET " + assignments + " WHERE id = ?1 AND version = ?" +
         std::to_string(parameter + 1);
}

// Binds every stored member of `resource` to parameters 1, 2, ..., then `extra`, the values of
// InsertSql's extra columns.
template <typename Table, typename Resource, typename... Extra>
void BindFields(Statement& statement, const Table& fields, const Resource& resource,
                const Extra&... extra) {
  int parameter = 0;
  ForEachField(fields, [&](const auto& entry) {
    if (!IsDerived(entry)) statement.Bind(++parameter, ToColumn(resource.*entry.member));
  });
  (statement.Bind(++parameter, extra), ...);
}

// Binds UpdateSql's parameters: the id, the rewritten members, `extra` (the values of its extra
// columns), then `expected_version`.
template <typename Table, typename Resource, typename... Extra>
void BindUpdate(Statement& statement, const Table& fields, const Resource& resource,
                int64_t expected_version, const Extra&... extra) {
  statement.Bind(1, resource.id);
  int parameter = 1;
  ForEachField(fields, [&](const auto& entry) {
    if (RewrittenByUpdates(entry)) statement.Bind(++parameter, ToColumn(resource.*entry.member));
  });
  (statement.Bind(++parameter, extra), ...);
  statement.Bind(parameter + 1, expected_version);
}

// Prepares `insert_sql` (InsertSql's text for `fields`), binds the resource's members and `extra`
// (BindFields) and runs it.
template <typename Table, typename Resource, typename... Extra>
Status InsertRow(Connection& connection, const std::string& insert_sql, const Table& fields,
                 const Resource& resource, const Extra&... extra) {
  Result<Statement> insert = connection.Prepare(insert_sql);
  if (!insert.ok()) return std::move(insert).error();
  BindFields(*insert, fields, resource, extra...);
  return insert->Run();
}

// Prepares `update_sql` (UpdateSql's text for `fields`), binds it (BindUpdate) and runs it as the
// UPDATE of a row whose version the caller has checked in the same transaction
// (RunChangingOneRow).
template <typename Table, typename Resource, typename... Extra>
Status UpdateRow(Connection& connection, const std::string& update_sql, const Table& fields,
                 const Resource& resource, int64_t expected_version, const Extra&... extra) {
  Result<Statement> update = connection.Prepare(update_sql);
  if (!update.ok()) return std::move(update).error();
  BindUpdate(*update, fields, resource, expected_version, extra...);
  return RunChangingOneRow(*update);
}

// Reads every member of `resource` from the row, in the order of `fields` (ColumnList's), the
// derived ones included.
template <typename Table, typename Resource>
void ReadFields(RowReader& row, const Table& fields, Resource& resource) {
  ForEachField(fields, [&](const auto& entry) { row.Read(resource.*entry.member); });
}

}  // namespace tt::sqlite
