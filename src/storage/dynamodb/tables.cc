#include "storage/dynamodb/tables.h"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <utility>

#include "storage/dynamodb/item_codec.h"

namespace tt::dynamodb {
namespace json = boost::json;
namespace {

namespace asio = boost::asio;

json::array KeySchemaOf(std::string_view hash, std::string_view range) {
  return json::array{json::object{{"AttributeName", hash}, {"KeyType", "HASH"}},
                     json::object{{"AttributeName", range}, {"KeyType", "RANGE"}}};
}

json::object Index(std::string_view name, std::string_view hash, std::string_view range) {
  return json::object{{"IndexName", name},
                      {"KeySchema", KeySchemaOf(hash, range)},
                      {"Projection", json::object{{"ProjectionType", "ALL"}}}};
}

std::string MessageOf(const Reply& reply) {
  const json::value* message = reply.body.if_contains("message");
  if (message == nullptr) message = reply.body.if_contains("Message");
  return message != nullptr && message->is_string() ? std::string(message->get_string())
                                                    : std::string();
}

// Logs an unexpected DynamoDB error answer and returns the operator's one-line kInternal.
Error Unexpected(Logger& logger, std::string_view operation, const std::string& table,
                 const Reply& reply) {
  logger.Error("dynamodb: " + std::string(operation) + " of table " + table +
               " failed: " + reply.error_type + ": " + MessageOf(reply));
  return Error{ErrorCode::kInternal,
               "DynamoDB refused " + std::string(operation) + " of table " + table + " (" +
                   reply.error_type + ")",
               {},
               {}};
}

Error WithContext(Error error, const std::string& table) {
  error.message = "cannot reach the DynamoDB table " + table + ": " + error.message;
  return error;
}

// What a DescribeTable answer says of the table: its status and whether its keys and indexes
// are the ones CreateTableRequest makes.
struct TableState {
  std::string status;
  bool indexes_active = true;
  bool has_gsi1 = false;
  bool has_gsi2 = false;
  bool keys_match = false;
};

TableState StateOf(const json::object& description) {
  TableState state;
  const json::value* table = description.if_contains("Table");
  if (table == nullptr || !table->is_object()) return state;
  const json::object& body = table->get_object();
  if (const json::value* status = body.if_contains("TableStatus"); status && status->is_string()) {
    state.status = std::string(status->get_string());
  }
  if (const json::value* schema = body.if_contains("KeySchema"); schema && schema->is_array()) {
    state.keys_match = *schema == json::value(KeySchemaOf(kPk, kSk));
  }
  if (const json::value* indexes = body.if_contains("GlobalSecondaryIndexes");
      indexes && indexes->is_array()) {
    for (const json::value& index : indexes->get_array()) {
      if (!index.is_object()) continue;
      const json::object& fields = index.get_object();
      const json::value* name = fields.if_contains("IndexName");
      const json::value* status = fields.if_contains("IndexStatus");
      const json::value* schema = fields.if_contains("KeySchema");
      if (name == nullptr || !name->is_string()) continue;
      if (status != nullptr && status->is_string() && status->get_string() != "ACTIVE") {
        state.indexes_active = false;
      }
      if (name->get_string() == kGsi1 && schema != nullptr &&
          *schema == json::value(KeySchemaOf(kGsi1Pk, kGsi1Sk))) {
        state.has_gsi1 = true;
      }
      if (name->get_string() == kGsi2 && schema != nullptr &&
          *schema == json::value(KeySchemaOf(kGsi2Pk, kGsi2Sk))) {
        state.has_gsi2 = true;
      }
    }
  }
  return state;
}

// Enables TTL on `ttl`, so that expired sessions and old sign-in failures go by themselves.
// Readers never rely on it (they check expiry and times), so an endpoint without TTL (dynalite)
// or a role without the permission only costs storage: logged, not an error.
asio::awaitable<void> EnableTtl(Client& client, Logger& logger, const std::string& table) {
  json::object request{
      {"TableName", table},
      {"TimeToLiveSpecification", json::object{{"Enabled", true}, {"AttributeName", kTtl}}}};
  Result<Reply> reply = co_await client.Call("UpdateTimeToLive", std::move(request));
  if (!reply.ok()) {
    logger.Warn("dynamodb: cannot enable TTL on " + table + ": " + reply.error().message);
  } else if (!reply->error_type.empty()) {
    logger.Info("dynamodb: TTL not enabled on " + table + " (" + reply->error_type +
                "); expired sessions and sign-in failures stay until deleted");
  } else {
    logger.Info("dynamodb: enabled TTL on attribute `ttl` of " + table);
  }
}

}  // namespace

json::object CreateTableRequest(const std::string& table) {
  json::array attributes;
  for (const std::string_view name : {kPk, kSk, kGsi1Pk, kGsi1Sk, kGsi2Pk, kGsi2Sk}) {
    attributes.emplace_back(json::object{{"AttributeName", name}, {"AttributeType", "S"}});
  }
  return json::object{
      {"TableName", table},
      {"BillingMode", "PAY_PER_REQUEST"},
      {"AttributeDefinitions", std::move(attributes)},
      {"KeySchema", KeySchemaOf(kPk, kSk)},
      {"GlobalSecondaryIndexes",
       json::array{Index(kGsi1, kGsi1Pk, kGsi1Sk), Index(kGsi2, kGsi2Pk, kGsi2Sk)}},
  };
}

asio::awaitable<Status> EnsureTable(Client& client, Logger& logger, const std::string& table,
                                    bool create, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto delay = std::chrono::milliseconds(50);
  bool created = false;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    json::object describe{{"TableName", table}};
    Result<Reply> described = co_await client.Call("DescribeTable", std::move(describe));
    if (!described.ok()) co_return WithContext(std::move(described).error(), table);

    if (described->error_type == "ResourceNotFoundException") {
      if (!create) {
        co_return Error::Unavailable("the DynamoDB table " + table +
                                     " does not exist (create it with `track-tracker init-db`)");
      }
      Result<Reply> creating = co_await client.Call("CreateTable", CreateTableRequest(table));
      if (!creating.ok()) co_return WithContext(std::move(creating).error(), table);
      // ResourceInUseException: another instance is creating it at the same time.
      if (!creating->error_type.empty() && creating->error_type != "ResourceInUseException") {
        co_return Unexpected(logger, "CreateTable", table, *creating);
      }
      if (creating->error_type.empty()) {
        logger.Info("dynamodb: creating table " + table);
        created = true;
      }
      continue;
    }
    if (!described->error_type.empty()) {
      co_return Unexpected(logger, "DescribeTable", table, *described);
    }

    const TableState state = StateOf(described->body);
    if (state.status == "ACTIVE" && state.indexes_active) {
      if (!state.keys_match || !state.has_gsi1 || !state.has_gsi2) {
        logger.Error("dynamodb: table " + table +
                     " exists with another key schema or without indexes gsi1/gsi2");
        co_return Error{ErrorCode::kInternal,
                        "the DynamoDB table " + table +
                            " has another key schema than Track Tracker's (see docs/DYNAMODB.md)",
                        {},
                        {}};
      }
      if (created) co_await EnableTtl(client, logger, table);
      co_return Status::Ok();
    }
    if (state.status != "CREATING" && state.status != "UPDATING" && state.status != "ACTIVE") {
      co_return Error::Unavailable("the DynamoDB table " + table + " is " +
                                   (state.status.empty() ? "in an unknown state" : state.status));
    }
    if (std::chrono::steady_clock::now() + delay > deadline) {
      co_return Error::Unavailable("the DynamoDB table " + table + " is still " + state.status +
                                   " after " + std::to_string(timeout.count()) + " s");
    }
    timer.expires_after(delay);
    co_await timer.async_wait(asio::use_awaitable);
    delay = std::min(delay * 2, std::chrono::milliseconds(2'000));
  }
}

}  // namespace tt::dynamodb
