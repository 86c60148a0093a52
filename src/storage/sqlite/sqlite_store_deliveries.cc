// SqliteStore: webhook deliveries and the fan-out position (tables `webhook_deliveries` and
// `webhook_fan_out`, schema migration 8). One writer serializes every lease and claim here, so
// the conditions are plain WHERE clauses in the writer's transaction.
#include <algorithm>
#include <string>
#include <tuple>
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

constexpr char kNoSuchDelivery[] = "no such delivery";
constexpr char kDeliveryColumns[] =
    "d.endpoint_id, d.change_id, d.change_type, d.body, d.status, d.attempts,"
    " d.last_response_code, d.last_error, d.last_attempt_at, d.next_attempt_at, d.pending_since,"
    " d.created_at";

Result<WebhookDelivery> ReadDelivery(RowReader& row) {
  WebhookDelivery delivery;
  delivery.endpoint_id = row.Text();
  delivery.change_id = row.Int();
  const std::optional<ChangeType> type = row.ParsedText(ParseChangeType);
  delivery.body = row.Text();
  const std::optional<DeliveryStatus> status = row.ParsedText(ParseDeliveryStatus);
  delivery.attempts = static_cast<int>(row.Int());
  const std::optional<int64_t> code = row.OptionalInt();
  delivery.last_error = row.OptionalText();
  delivery.last_attempt_at = row.OptionalTime();
  delivery.next_attempt_at = row.Time();
  delivery.pending_since = row.Time();
  delivery.created_at = row.Time();
  if (Status checked = row.Check("webhook delivery"); !checked.ok()) {
    return std::move(checked).error();
  }
  delivery.type = *type;  // Check failed when either did not parse
  delivery.status = *status;
  if (code.has_value()) delivery.last_response_code = static_cast<int>(*code);
  return delivery;
}

std::optional<int64_t> MicrosOf(const std::optional<Timestamp>& time) {
  if (!time.has_value()) return std::nullopt;
  return sqlite::Micros(*time);
}

std::optional<int64_t> CodeOf(const std::optional<int>& code) {
  if (!code.has_value()) return std::nullopt;
  return *code;
}

}  // namespace

Async<Result<int64_t>> SqliteStore::LeaseFanOut(const Lease& lease, Timestamp now) {
  co_return co_await writer_->Run([&](Connection& connection) -> Result<int64_t> {
    if (Status status = sqlite::RunStatement(
            connection,
            "UPDATE webhook_fan_out SET lease_owner = ?1, lease_until = ?2 WHERE singleton = 1"
            " AND (lease_owner IS NULL OR lease_owner = ?1 OR lease_until <= ?3)",
            lease.owner, sqlite::Micros(lease.until), sqlite::Micros(now));
        !status.ok()) {
      return std::move(status).error();
    }
    if (connection.Changes() == 0) return Error::Conflict("another instance is fanning out");
    Result<Statement> select =
        connection.Prepare("SELECT position FROM webhook_fan_out WHERE singleton = 1");
    if (!select.ok()) return std::move(select).error();
    Result<bool> row = select->Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return Error::Internal();
    return select->Int(0);
  });
}

Async<Status> SqliteStore::FanOut(const Lease& lease, int64_t from, int64_t to,
                                  const std::vector<WebhookDelivery>& deliveries) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    // The position first: when the lease or the position moved, nothing is written.
    if (Status status = sqlite::RunStatement(
            connection,
            "UPDATE webhook_fan_out SET position = ?1 WHERE singleton = 1 AND position = ?2"
            " AND lease_owner = ?3",
            to, from, lease.owner);
        !status.ok()) {
      return status;
    }
    if (connection.Changes() == 0) {
      return Error::Conflict("the fan-out lease or position moved");
    }
    for (const WebhookDelivery& delivery : deliveries) {
      // An endpoint deleted since it was read takes its deliveries with it: skip it.
      if (Status status = sqlite::RunStatement(
              connection,
              "INSERT INTO webhook_deliveries (endpoint_id, change_id, change_type, body, status,"
              " attempts, next_attempt_at, pending_since, created_at)"
              " SELECT ?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?7"
              " WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ?1)"
              " ON CONFLICT DO NOTHING",
              delivery.endpoint_id, delivery.change_id, ChangeTypeName(delivery.type),
              delivery.body, DeliveryStatusName(delivery.status),
              sqlite::Micros(delivery.next_attempt_at), sqlite::Micros(delivery.created_at));
          !status.ok()) {
        return status;
      }
    }
    return Status::Ok();
  });
}

Async<Result<std::vector<WebhookDelivery>>> SqliteStore::ClaimDueDeliveries(
    const DeliveryClaim& claim) {
  co_return co_await writer_->Run([&](Connection& connection)
                                      -> Result<std::vector<WebhookDelivery>> {
    // Endpoint by endpoint (they are few; deliveries may be many), each through its own
    // range of the indexes: its leased deliveries counted, then its earliest due free ones,
    // up to what its limit leaves. A backlog at one endpoint costs the others nothing.
    Result<Statement> endpoints =
        connection.Prepare("SELECT id FROM webhook_endpoints WHERE disabled = 0");
    if (!endpoints.ok()) return std::move(endpoints).error();
    Result<std::vector<std::string>> ids = sqlite::ReadAllRows(
        *endpoints, [](RowReader& row) -> Result<std::string> { return row.Text(); });
    if (!ids.ok()) return std::move(ids).error();
    std::vector<WebhookDelivery> due;
    for (const std::string& endpoint : *ids) {
      Result<Statement> leased = connection.Prepare(
          "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?1"
          " AND status = 'pending' AND lease_until IS NOT NULL AND lease_until > ?2");
      if (!leased.ok()) return std::move(leased).error();
      leased->BindAll(endpoint, sqlite::Micros(claim.now));
      Result<bool> row = leased->Step();
      if (!row.ok()) return std::move(row).error();
      const int64_t free = claim.per_endpoint - leased->Int(0);
      if (free <= 0) continue;
      static const std::string kSelect =
          std::string("SELECT ") + kDeliveryColumns +
          " FROM webhook_deliveries d WHERE d.endpoint_id = ?1 AND d.status = 'pending'"
          " AND d.next_attempt_at <= ?2 AND (d.lease_until IS NULL OR d.lease_until <= ?2)"
          " ORDER BY d.next_attempt_at, d.change_id LIMIT ?3";
      Result<Statement> select = connection.Prepare(kSelect);
      if (!select.ok()) return std::move(select).error();
      select->BindAll(endpoint, sqlite::Micros(claim.now), std::min<int64_t>(free, claim.limit));
      Result<std::vector<WebhookDelivery>> found = sqlite::ReadAllRows(*select, &ReadDelivery);
      if (!found.ok()) return found;
      for (WebhookDelivery& delivery : *found) due.push_back(std::move(delivery));
    }
    // The earliest due first, claim.limit in all.
    std::sort(due.begin(), due.end(), [](const WebhookDelivery& a, const WebhookDelivery& b) {
      return std::tie(a.next_attempt_at, a.change_id) < std::tie(b.next_attempt_at, b.change_id);
    });
    if (due.size() > static_cast<size_t>(claim.limit)) due.resize(claim.limit);
    for (const WebhookDelivery& delivery : due) {
      if (Status status = sqlite::RunStatement(
              connection,
              "UPDATE webhook_deliveries SET lease_owner = ?1, lease_until = ?2"
              " WHERE endpoint_id = ?3 AND change_id = ?4",
              claim.lease.owner, sqlite::Micros(claim.lease.until), delivery.endpoint_id,
              delivery.change_id);
          !status.ok()) {
        return std::move(status).error();
      }
    }
    return due;
  });
}

Async<Status> SqliteStore::RecordDeliveryAttempt(const WebhookDelivery& delivery,
                                                 const Lease& lease, bool disable_endpoint) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    if (Status status = sqlite::RunStatement(
            connection,
            "UPDATE webhook_deliveries SET status = ?1, attempts = ?2, last_response_code = ?3,"
            " last_error = ?4, last_attempt_at = ?5, next_attempt_at = ?6, lease_owner = NULL,"
            " lease_until = NULL WHERE endpoint_id = ?7 AND change_id = ?8 AND lease_owner = ?9"
            " AND lease_until = ?10",
            DeliveryStatusName(delivery.status), delivery.attempts,
            CodeOf(delivery.last_response_code), delivery.last_error,
            MicrosOf(delivery.last_attempt_at), sqlite::Micros(delivery.next_attempt_at),
            delivery.endpoint_id, delivery.change_id, lease.owner, sqlite::Micros(lease.until));
        !status.ok()) {
      return status;
    }
    if (connection.Changes() == 0) {
      Result<Statement> exists = connection.Prepare(
          "SELECT 1 FROM webhook_deliveries WHERE endpoint_id = ?1 AND change_id = ?2");
      if (!exists.ok()) return std::move(exists).error();
      exists->BindAll(delivery.endpoint_id, delivery.change_id);
      Result<bool> row = exists->Step();
      if (!row.ok()) return std::move(row).error();
      if (!*row) return Error::NotFound(kNoSuchDelivery);
      return Error::Conflict("the delivery's lease passed to another instance");
    }
    if (!disable_endpoint) return Status::Ok();
    return sqlite::RunStatement(
        connection,
        "UPDATE webhook_endpoints SET disabled = 1, version = version + 1, updated_at = ?2"
        " WHERE id = ?1 AND disabled = 0",
        delivery.endpoint_id, MicrosOf(delivery.last_attempt_at).value_or(0));
  });
}

Async<Result<WebhookDelivery>> SqliteStore::GetWebhookDelivery(std::string_view endpoint_id,
                                                               int64_t change_id) {
  co_return sqlite::InSingleStatementRead(
      *pool_, [&](Connection& connection) -> Result<WebhookDelivery> {
        static const std::string kSelect = std::string("SELECT ") + kDeliveryColumns +
                                           " FROM webhook_deliveries d"
                                           " WHERE d.endpoint_id = ?1 AND d.change_id = ?2";
        Result<Statement> select = connection.Prepare(kSelect);
        if (!select.ok()) return std::move(select).error();
        select->BindAll(endpoint_id, change_id);
        return sqlite::ReadOneRow(*select, &ReadDelivery, kNoSuchDelivery);
      });
}

Async<Result<Page<WebhookDelivery>>> SqliteStore::ListWebhookDeliveries(
    const WebhookDeliveryQuery& query) {
  const int limit = sqlite::PageLimit(query.limit);
  co_return sqlite::InSingleStatementRead(
      *pool_, [&](Connection& connection) -> Result<Page<WebhookDelivery>> {
        static const std::string kSelect = std::string("SELECT ") + kDeliveryColumns +
                                           " FROM webhook_deliveries d"
                                           " WHERE d.endpoint_id = ?1 AND d.change_id < ?2"
                                           " ORDER BY d.change_id DESC LIMIT ?3";
        Result<Statement> select = connection.Prepare(kSelect);
        if (!select.ok()) return std::move(select).error();
        select->BindAll(query.endpoint_id, query.before.value_or(INT64_MAX), limit + 1);
        return sqlite::ReadPage(*select, &ReadDelivery, limit);
      });
}

Async<Status> SqliteStore::RedeliverWebhookDelivery(std::string_view endpoint_id, int64_t change_id,
                                                    Timestamp now) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    if (Status status = sqlite::RunStatement(
            connection,
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0,"
            " next_attempt_at = ?3, pending_since = ?3, lease_owner = NULL, lease_until = NULL"
            " WHERE endpoint_id = ?1 AND change_id = ?2",
            endpoint_id, change_id, sqlite::Micros(now));
        !status.ok()) {
      return status;
    }
    if (connection.Changes() == 0) return Error::NotFound(kNoSuchDelivery);
    return Status::Ok();
  });
}

Async<Result<int64_t>> SqliteStore::DeleteFinishedDeliveriesBefore(Timestamp before) {
  co_return co_await DeleteInBatches(
      "DELETE FROM webhook_deliveries WHERE (endpoint_id, change_id) IN"
      " (SELECT endpoint_id, change_id FROM webhook_deliveries"
      " WHERE status <> 'pending' AND last_attempt_at < ?1 LIMIT ?2)",
      before);
}

Async<Result<DeliveryBacklog>> SqliteStore::GetDeliveryBacklog() {
  co_return sqlite::InSingleStatementRead(
      *pool_, [&](Connection& connection) -> Result<DeliveryBacklog> {
        Result<Statement> select = connection.Prepare(
            "SELECT count(*), min(pending_since) FROM webhook_deliveries WHERE status = 'pending'");
        if (!select.ok()) return std::move(select).error();
        Result<bool> row = select->Step();
        if (!row.ok()) return std::move(row).error();
        DeliveryBacklog backlog;
        backlog.pending = select->Int(0);
        if (backlog.pending > 0) backlog.oldest_pending_since = sqlite::TimestampOf(select->Int(1));
        return backlog;
      });
}

}  // namespace tt
