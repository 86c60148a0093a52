// Statement: binding, stepping and reading one use of a Connection's cached prepared statement.
#include <string>
#include <utility>

#include "storage/sqlite/connection.h"

namespace tt::sqlite {

Statement::Statement(Connection* connection, sqlite3_stmt* statement, bool* in_use)
    : connection_(connection), statement_(statement), in_use_(in_use) {
  *in_use_ = true;
}

Statement::Statement(Statement&& other) noexcept
    : connection_(other.connection_),
      statement_(other.statement_),
      in_use_(other.in_use_),
      bind_error_(other.bind_error_) {
  other.statement_ = nullptr;
  other.in_use_ = nullptr;
}

Statement::~Statement() {
  if (statement_ == nullptr) return;
  // reset() repeats the last step's error code, which was reported when it happened.
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  *in_use_ = false;
}

void Statement::Bind(int index, std::string_view text) {
  // A null pointer would bind SQL NULL, so an empty view must still point somewhere.
  const char* data = text.data() != nullptr ? text.data() : "";
  const int rc =
      sqlite3_bind_text64(statement_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::Bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::Bind(int index, std::nullopt_t) {
  const int rc = sqlite3_bind_null(statement_, index);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void Statement::Bind(int index, const TextSet& set) {
  // SQLite hands the pointer only to functions asking for this type name (tt_in_set).
  const int rc = sqlite3_bind_pointer(statement_, index, const_cast<TextSet*>(&set),
                                      kTextSetPointerType, nullptr);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

Result<bool> Statement::Step() {
  if (bind_error_ != SQLITE_OK) {
    return connection_->Fail(bind_error_, std::string("bind for ") + sqlite3_sql(statement_));
  }
  if (sqlite3_stmt_busy(statement_) == 0) connection_->CountStatement();
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return connection_->Fail(rc, sqlite3_sql(statement_));
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return Status::Ok();
  }
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(statement_, column); }

std::string Statement::Text(int column) const {
  // column_text before column_bytes, so that the byte count is of the UTF-8 form.
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (text == nullptr) return std::string();
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

std::string_view Statement::TextView(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  if (text == nullptr) return {};
  return {text, static_cast<size_t>(sqlite3_column_bytes(statement_, column))};
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

}  // namespace tt::sqlite
