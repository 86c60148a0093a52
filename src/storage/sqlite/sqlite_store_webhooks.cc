// SqliteStore: webhook endpoints (table `webhook_endpoints`, schema migration 8).
#include <string>
#include <utility>

#include "storage/sqlite/connection.h"
#include "storage/sqlite/field_rows.h"
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

constexpr char kWebhookVersion[] = "SELECT version FROM webhook_endpoints WHERE id = ?1";
constexpr char kNoSuchWebhook[] = "no such webhook";

const std::string& WebhookColumns() {
  static const std::string columns = sqlite::ColumnList(kWebhookEndpointFields, "w");
  return columns;
}

Result<WebhookEndpoint> ReadWebhookEndpoint(RowReader& row) {
  WebhookEndpoint endpoint;
  sqlite::ReadFields(row, kWebhookEndpointFields, endpoint);
  if (Status status = row.Check("webhook endpoint"); !status.ok()) {
    return std::move(status).error();
  }
  return endpoint;
}

std::optional<int64_t> MicrosOf(const std::optional<Timestamp>& time) {
  if (!time.has_value()) return std::nullopt;
  return sqlite::Micros(*time);
}

}  // namespace

Async<Status> SqliteStore::CreateWebhookEndpoint(const WebhookEndpoint& endpoint,
                                                 const WebhookSecrets& secrets) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    static const std::string kInsert =
        sqlite::InsertSql("webhook_endpoints", kWebhookEndpointFields,
                          {"secret", "previous_secret", "previous_secret_until"});
    Status status =
        sqlite::InsertRow(connection, kInsert, kWebhookEndpointFields, endpoint, secrets.current,
                          secrets.previous, MicrosOf(secrets.previous_until));
    if (!status.ok() && status.error().code == ErrorCode::kConflict) {
      return Error::Conflict("a webhook with this id already exists");
    }
    return status;
  });
}

Async<Result<std::pair<WebhookEndpoint, WebhookSecrets>>> SqliteStore::GetWebhookEndpoint(
    std::string_view id) {
  using Found = std::pair<WebhookEndpoint, WebhookSecrets>;
  co_return sqlite::InSingleStatementRead(*pool_, [&](Connection& connection) -> Result<Found> {
    static const std::string kSelect =
        "SELECT " + WebhookColumns() +
        ", w.secret, w.previous_secret, w.previous_secret_until FROM webhook_endpoints w"
        " WHERE w.id = ?1";
    Result<Statement> select = connection.Prepare(kSelect);
    if (!select.ok()) return std::move(select).error();
    select->Bind(1, id);
    return sqlite::ReadOneRow(
        *select,
        [](RowReader& row) -> Result<Found> {
          Result<WebhookEndpoint> endpoint = ReadWebhookEndpoint(row);
          if (!endpoint.ok()) return std::move(endpoint).error();
          WebhookSecrets secrets;
          secrets.current = row.Text();
          secrets.previous = row.OptionalText();
          secrets.previous_until = row.OptionalTime();
          if (Status status = row.Check("webhook secrets"); !status.ok()) {
            return std::move(status).error();
          }
          return Found{std::move(*endpoint), std::move(secrets)};
        },
        kNoSuchWebhook);
  });
}

Async<Result<Page<WebhookEndpoint>>> SqliteStore::ListWebhookEndpoints(
    const WebhookEndpointQuery& query) {
  const int limit = sqlite::PageLimit(query.limit);
  const int64_t after_time =
      query.after.has_value() ? sqlite::Micros(query.after->created_at) : INT64_MIN;
  const std::string after_id = query.after.has_value() ? query.after->id : std::string();
  co_return sqlite::InSingleStatementRead(
      *pool_, [&](Connection& connection) -> Result<Page<WebhookEndpoint>> {
        static const std::string kSelect =
            "SELECT " + WebhookColumns() +
            " FROM webhook_endpoints w WHERE (w.created_at, w.id) > (?1, ?2)"
            " ORDER BY w.created_at, w.id LIMIT ?3";
        Result<Statement> select = connection.Prepare(kSelect);
        if (!select.ok()) return std::move(select).error();
        select->BindAll(after_time, after_id, limit + 1);
        return sqlite::ReadPage(*select, &ReadWebhookEndpoint, limit);
      });
}

Async<Status> SqliteStore::UpdateWebhookEndpoint(const WebhookEndpoint& endpoint,
                                                 int64_t expected_version,
                                                 const std::optional<WebhookSecrets>& secrets) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    if (Status status = sqlite::CheckVersion(connection, kWebhookVersion, endpoint.id,
                                             expected_version, kNoSuchWebhook);
        !status.ok()) {
      return status;
    }
    if (!secrets.has_value()) {
      static const std::string kUpdate =
          sqlite::UpdateSql("webhook_endpoints", kWebhookEndpointFields);
      return sqlite::UpdateRow(connection, kUpdate, kWebhookEndpointFields, endpoint,
                               expected_version);
    }
    static const std::string kUpdateWithSecrets =
        sqlite::UpdateSql("webhook_endpoints", kWebhookEndpointFields,
                          {"secret", "previous_secret", "previous_secret_until"});
    return sqlite::UpdateRow(connection, kUpdateWithSecrets, kWebhookEndpointFields, endpoint,
                             expected_version, secrets->current, secrets->previous,
                             MicrosOf(secrets->previous_until));
  });
}

Async<Status> SqliteStore::DeleteWebhookEndpoint(std::string_view id,
                                                 std::optional<int64_t> expected_version) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    return sqlite::DeleteVersioned(connection, kWebhookVersion,
                                   "DELETE FROM webhook_endpoints WHERE id = ?1", id,
                                   expected_version, kNoSuchWebhook);
  });
}

}  // namespace tt
