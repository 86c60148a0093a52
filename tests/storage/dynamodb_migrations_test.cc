// Opening a table written by an earlier version rewrites what that version keyed differently,
// once (dynamodb_store_migrations.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"
#include "storage/dynamodb_store_fixture.h"
#include "support/run_sync.h"

namespace tt {
namespace {

// A suite of its own: gtest requires one fixture class per suite name across the binary.
class DynamoDbMigrationTest : public DynamoDbStoreTest {};

// Follows written before followers were listed kept only the user id as their gsi2 sort key.
// Opening the table rewrites them once, so the followers list of old data is newest first too.
TEST_F(DynamoDbMigrationTest, OpeningRekeysFollowsOfEarlierVersionsByFollowTime) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const User athlete_user = MakeUser(1, "athlete");
  ASSERT_TRUE(RunSync(store->CreateUser(athlete_user, "h")).ok());
  Athlete athlete;
  athlete.id = athlete_user.id;
  athlete.first_name = "Faith";
  athlete.last_name = "Kipyegon";
  ASSERT_TRUE(RunSync(store->CreateAthlete(athlete)).ok());
  // Fans whose ids sort the other way round from their follow times.
  std::vector<std::string> newest_first;
  for (int n = 2; n <= 5; ++n) {
    const User fan = MakeUser(n, "fan" + std::to_string(n));
    ASSERT_TRUE(RunSync(store->CreateUser(fan, "h")).ok());
    ASSERT_TRUE(RunSync(store->Follow(fan.id, athlete.id, At(100 - n))).ok());
    newest_first.push_back(fan.id);
  }
  // Back to the earlier layout: the user id as gsi2sk, and no data_version.
  for (const std::string& fan_id : newest_first) {
    RawCall("UpdateItem",
            {{"TableName", table()},
             {"Key", dynamodb::FollowKey(fan_id, athlete.id)},
             {"UpdateExpression", "SET gsi2sk = :id"},
             {"ExpressionAttributeValues", json::object{{":id", dynamodb::S(fan_id)}}}});
  }
  RawCall("UpdateItem", {{"TableName", table()},
                         {"Key", dynamodb::MetaKey()},
                         {"UpdateExpression", "REMOVE data_version"}});

  store = OpenInstance();
  ASSERT_NE(store, nullptr);
  Result<Page<Follower>> followers = RunSync(store->ListFollowers({.athlete_id = athlete.id}));
  ASSERT_TRUE(followers.ok()) << followers.error().message;
  std::vector<std::string> listed;
  for (const Follower& follower : followers->items) listed.push_back(follower.id);
  EXPECT_EQ(listed, newest_first);
  const dynamodb::Reply follow =
      RawCall("GetItem", {{"TableName", table()}, {"Key", dynamodb::FollowKey(Id(2), athlete.id)}});
  EXPECT_EQ(dynamodb::StringOf(follow.body.at("Item").as_object(), dynamodb::kGsi2Sk),
            dynamodb::FollowingKey(At(98), Id(2)));
  const dynamodb::Reply meta =
      RawCall("GetItem", {{"TableName", table()}, {"Key", dynamodb::MetaKey()}});
  EXPECT_EQ(meta.body.at("Item").at("data_version").at("N").as_string(), "2");
}

// Pending deliveries were once in one due list of all endpoints, where a disabled endpoint's
// held back the others, and endpoints were listed only through gsi1, which may lag a creation.
// Opening the table moves the deliveries to their endpoint's list (deleting those of endpoints
// that are gone) and names every endpoint in the registry.
TEST_F(DynamoDbMigrationTest, OpeningMovesWebhooksOffTheSharedLists) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const WebhookEndpoint endpoint = AddWebhookEndpoint(*store, 1);
  FanOutFromStart(*store, 2, {PendingDelivery(endpoint.id, 1), PendingDelivery(endpoint.id, 2)});
  // Back to the earlier layout: the endpoint in gsi1's list and no registry, the one due list
  // with an orphan of a deleted endpoint in it, and no data_version.
  RawCall("UpdateItem",
          {{"TableName", table()},
           {"Key", dynamodb::WebhookKey(endpoint.id)},
           {"UpdateExpression", "SET gsi1pk = :list, gsi1sk = :key"},
           {"ExpressionAttributeValues",
            json::object{{":list", dynamodb::S(dynamodb::kLegacyWebhookList)},
                         {":key", dynamodb::S("00000000000000000001#" + endpoint.id)}}}});
  RawCall("DeleteItem", {{"TableName", table()}, {"Key", dynamodb::WebhookRegistryKey()}});
  for (int64_t change_id : {1, 2}) {
    RawCall("UpdateItem", {{"TableName", table()},
                           {"Key", dynamodb::DeliveryKey(endpoint.id, change_id)},
                           {"UpdateExpression", "SET gsi1pk = :due"},
                           {"ExpressionAttributeValues",
                            json::object{{":due", dynamodb::S(dynamodb::kLegacyDueDeliveries)}}}});
  }
  json::object orphan = dynamodb::DeliveryItem(PendingDelivery(Id(9), 3));
  orphan["gsi1pk"] = dynamodb::S(dynamodb::kLegacyDueDeliveries);
  RawCall("PutItem", {{"TableName", table()}, {"Item", orphan}});
  RawCall("UpdateItem", {{"TableName", table()},
                         {"Key", dynamodb::MetaKey()},
                         {"UpdateExpression", "REMOVE data_version"}});
  store = OpenInstance();
  ASSERT_NE(store, nullptr);
  Result<std::vector<WebhookDelivery>> claimed =
      RunSync(store->ClaimDueDeliveries({{"a", At(500)}, At(100), 10, 4}));
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  Result<Page<WebhookEndpoint>> listed = RunSync(store->ListWebhookEndpoints({}));
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->items.size(), 1U);
  EXPECT_EQ(listed->items[0].id, endpoint.id);
  ASSERT_EQ(claimed->size(), 2U);
  EXPECT_EQ((*claimed)[0].change_id, 1);
  EXPECT_EQ((*claimed)[1].change_id, 2);
  for (int64_t change_id : {1, 2}) {
    const dynamodb::Reply moved =
        RawCall("GetItem",
                {{"TableName", table()}, {"Key", dynamodb::DeliveryKey(endpoint.id, change_id)}});
    EXPECT_EQ(dynamodb::StringOf(moved.body.at("Item").as_object(), dynamodb::kGsi1Pk),
              dynamodb::DueDeliveriesPk(endpoint.id));
  }
  const dynamodb::Reply registry =
      RawCall("GetItem", {{"TableName", table()}, {"Key", dynamodb::WebhookRegistryKey()}});
  EXPECT_EQ(registry.body.at("Item").at("ids").at("SS"), json::array{json::string(endpoint.id)});
  const dynamodb::Reply gone =
      RawCall("GetItem", {{"TableName", table()}, {"Key", dynamodb::DeliveryKey(Id(9), 3)}});
  EXPECT_FALSE(gone.body.contains("Item")) << "the orphan is deleted";
  const dynamodb::Reply meta =
      RawCall("GetItem", {{"TableName", table()}, {"Key", dynamodb::MetaKey()}});
  EXPECT_EQ(meta.body.at("Item").at("data_version").at("N").as_string(), "2");
}

}  // namespace
}  // namespace tt
