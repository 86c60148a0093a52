// The fixture of the DynamoDB-only store tests: a store over a table of its own on dynalite,
// a raw client beside it, and makers of test data.
#ifndef TT_TESTS_STORAGE_DYNAMODB_STORE_FIXTURE_H_
#define TT_TESTS_STORAGE_DYNAMODB_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"
#include "storage/store_factories_dynamodb.h"
#include "support/run_sync.h"

namespace tt {
namespace {

namespace json = boost::json;
using ::tt::testing::DynaliteStoreOptions;
using ::tt::testing::RunOnThreads;
using ::tt::testing::RunSync;
using ::tt::testing::UniqueTablePrefix;

Timestamp At(int64_t seconds) { return Timestamp(std::chrono::seconds(1'780'000'000 + seconds)); }
Date D(std::string_view text) { return Date::Parse(text).value(); }

std::string Id(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012d", n);
  return text;
}

class DynamoDbStoreTest : public ::testing::Test {
 protected:
  DynamoDbStoreTest() : options_(DynaliteStoreOptions(UniqueTablePrefix())) {}

  // A new instance over the shared table, as another server process would open it.
  std::unique_ptr<DynamoDbStore> OpenInstance() {
    Result<std::unique_ptr<DynamoDbStore>> store = RunSync(DynamoDbStore::Open(options_, logger_));
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }

  // A raw client beside the store, to look at the table as any other DynamoDB client would.
  dynamodb::Reply RawCall(std::string_view operation, json::object request) {
    dynamodb::Client client(options_.client, logger_);
    Result<dynamodb::Reply> reply = RunSync(client.Call(operation, request));
    EXPECT_TRUE(reply.ok()) << reply.error().message;
    return reply.ok() ? std::move(*reply) : dynamodb::Reply{};
  }

  std::string table() const { return DynamoDbStore::TableName(options_.table_prefix); }

  User MakeUser(int n, std::string username) {
    User user;
    user.id = Id(n);
    user.username = std::move(username);
    user.display_name = user.username;
    user.created_at = At(0);
    user.updated_at = At(0);
    return user;
  }

  Competition MakeCompetition(int n, std::string_view start, std::string_view end) {
    Competition competition;
    competition.id = Id(n);
    competition.name = "Meet " + std::to_string(n);
    competition.location = "Oslo";
    competition.start_date = D(start);
    competition.end_date = D(end);
    competition.created_at = At(1);
    competition.updated_at = At(1);
    return competition;
  }

  // Athlete number `n` (a user of id Id(n) with a profile), followed by `fan`.
  Athlete AddFollowedAthlete(DynamoDbStore& store, const User& fan, int n) {
    const User user = MakeUser(n, "athlete" + std::to_string(n));
    EXPECT_TRUE(RunSync(store.CreateUser(user, "h")).ok());
    Athlete athlete;
    athlete.id = user.id;
    athlete.first_name = "A" + std::to_string(n);
    athlete.last_name = "Runner";
    EXPECT_TRUE(RunSync(store.CreateAthlete(athlete)).ok());
    EXPECT_TRUE(RunSync(store.Follow(fan.id, athlete.id, At(n))).ok());
    return athlete;
  }

  // Webhook endpoint Id(n), for every change type.
  WebhookEndpoint AddWebhookEndpoint(DynamoDbStore& store, int n) {
    WebhookEndpoint endpoint;
    endpoint.id = Id(n);
    endpoint.url = "https://hooks.example.com/" + std::to_string(n);
    endpoint.types = {"*"};
    endpoint.created_at = endpoint.updated_at = At(0);
    EXPECT_TRUE(
        RunSync(store.CreateWebhookEndpoint(endpoint, WebhookSecrets{"sb1:s", {}, {}})).ok());
    return endpoint;
  }

  // A pending delivery of change `change_id`, made and due at At(change_id).
  static WebhookDelivery PendingDelivery(const std::string& endpoint_id, int64_t change_id) {
    WebhookDelivery delivery;
    delivery.endpoint_id = endpoint_id;
    delivery.change_id = change_id;
    delivery.type = ChangeType::kEventCreated;
    delivery.body = "{}";
    delivery.next_attempt_at = delivery.pending_since = delivery.created_at = At(change_id);
    return delivery;
  }

  // Fans `deliveries` out as changes (0, to] under a lease of the test's own.
  static void FanOutFromStart(DynamoDbStore& store, int64_t to,
                              const std::vector<WebhookDelivery>& deliveries) {
    const Lease lease{"test", At(1000)};
    ASSERT_TRUE(RunSync(store.LeaseFanOut(lease, At(0))).ok());
    ASSERT_TRUE(RunSync(store.FanOut(lease, 0, to, deliveries)).ok());
  }

  // Whether the table holds the delivery of change `change_id` to endpoint `endpoint_id`.
  bool DeliveryStored(const std::string& endpoint_id, int64_t change_id) {
    return RawCall("GetItem",
                   {{"TableName", table()}, {"Key", dynamodb::DeliveryKey(endpoint_id, change_id)}})
        .body.contains("Item");
  }

  // What a delete of endpoint Id(1) that failed after its first write leaves: the endpoint item
  // gone, its pending delivery of change 1 and its registry id still there.
  WebhookEndpoint EndpointLeftByAFailedDelete(DynamoDbStore& store) {
    const WebhookEndpoint endpoint = AddWebhookEndpoint(store, 1);
    FanOutFromStart(store, 1, {PendingDelivery(endpoint.id, 1)});
    RawCall("DeleteItem", {{"TableName", table()}, {"Key", dynamodb::WebhookKey(endpoint.id)}});
    return endpoint;
  }

  Logger logger_{LogLevel::kWarn};
  DynamoDbStoreOptions options_;
};

}  // namespace
}  // namespace tt

#endif  // TT_TESTS_STORAGE_DYNAMODB_STORE_FIXTURE_H_
