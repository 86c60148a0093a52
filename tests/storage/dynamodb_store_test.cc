// What only the DynamoDB backend promises: how Open makes its table, that several instances
// share one table safely, how its batches and fan-outs behave, and what its items look like to
// other clients. The Store contract itself is in store_test.cc (run against dynalite too).
#include "storage/dynamodb/dynamodb_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/dynamodb/item_codec.h"
#include "storage/dynamodb_store_fixture.h"
#include "storage/store_factories_dynamodb.h"
#include "support/fault_proxy.h"
#include "support/log_file.h"
#include "support/manual_clock.h"
#include "support/run_sync.h"

namespace tt {
namespace {

TEST_F(DynamoDbStoreTest, OpenCreatesTheTableWithItsIndexesOnDemand) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->table_name(), table());

  const dynamodb::Reply described = RawCall("DescribeTable", {{"TableName", table()}});
  ASSERT_EQ(described.error_type, "");
  const json::object& description = described.body.at("Table").as_object();
  EXPECT_EQ(description.at("TableStatus").as_string(), "ACTIVE");
  std::set<std::string> indexes;
  for (const json::value& index : description.at("GlobalSecondaryIndexes").as_array()) {
    indexes.insert(std::string(index.at("IndexName").as_string()));
  }
  EXPECT_EQ(indexes, (std::set<std::string>{"gsi1", "gsi2"}));
  EXPECT_EQ(description.at("BillingModeSummary").at("BillingMode").as_string(), "PAY_PER_REQUEST");

  // Opening again finds the table as it is.
  EXPECT_NE(OpenInstance(), nullptr);
}

TEST_F(DynamoDbStoreTest, OpenWithoutCreatingTablesFailsOnAMissingTableNamingIt) {
  options_.create_tables = false;
  Result<std::unique_ptr<DynamoDbStore>> store = RunSync(DynamoDbStore::Open(options_, logger_));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message.find(table()), std::string::npos) << store.error().message;

  // CreateTables (track-tracker init-db) makes it, and then Open succeeds without creating.
  ASSERT_TRUE(RunSync(DynamoDbStore::CreateTables(options_, logger_)).ok());
  EXPECT_NE(OpenInstance(), nullptr);
}

TEST_F(DynamoDbStoreTest, ATableDeletedUnderAnOpenStoreIsUnavailableAndTheLogNamesIt) {
  ::tt::testing::LogFile log;
  Logger logger(LogLevel::kWarn, log.get());
  Result<std::unique_ptr<DynamoDbStore>> store = RunSync(DynamoDbStore::Open(options_, logger));
  ASSERT_TRUE(store.ok()) << store.error().message;
  RawCall("DeleteTable", {{"TableName", table()}});
  Result<User> user = RunSync((*store)->GetUser(Id(1)));
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(user.error().message.find(table()), std::string::npos) << "a client sees no internals";
  EXPECT_EQ(RunSync((*store)->Ping()).error().code, ErrorCode::kUnavailable);
  store->reset();  // nothing writes to the log after this
  EXPECT_NE(log.Text().find(table()), std::string::npos) << "the operator learns which table";
}

TEST_F(DynamoDbStoreTest, TwoInstancesOnOneTableSeeEachOthersWrites) {
  std::unique_ptr<DynamoDbStore> first = OpenInstance();
  std::unique_ptr<DynamoDbStore> second = OpenInstance();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);

  const User user = MakeUser(1, "alice");
  ASSERT_TRUE(RunSync(first->CreateUser(user, "hash")).ok());
  Result<UserCredentials> found = RunSync(second->FindUserByUsername("ALICE"));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->user.id, user.id);

  // An update through one instance makes the other's copy stale.
  User renamed = user;
  renamed.display_name = "Alice A.";
  renamed.version = 2;
  ASSERT_TRUE(RunSync(second->UpdateUser(renamed, 1, std::nullopt, "")).ok());
  EXPECT_EQ(RunSync(first->GetUser(user.id))->display_name, "Alice A.");
  User stale = user;
  stale.version = 2;
  EXPECT_EQ(RunSync(first->UpdateUser(stale, 1, std::nullopt, "")).error().code,
            ErrorCode::kPreconditionFailed);

  // Sign-out in one instance ends the session in the other.
  const Session session{"token", user.id, At(0), At(3600)};
  ASSERT_TRUE(RunSync(first->CreateSession(session)).ok());
  ASSERT_TRUE(RunSync(second->FindSession("token")).ok());
  ASSERT_TRUE(RunSync(second->DeleteSession("token")).ok());
  EXPECT_EQ(RunSync(first->FindSession("token")).error().code, ErrorCode::kNotFound);
}

TEST_F(DynamoDbStoreTest, RacingSignUpsOnTwoInstancesLetExactlyOneWin) {
  std::unique_ptr<DynamoDbStore> instances[2] = {OpenInstance(), OpenInstance()};
  ASSERT_NE(instances[0], nullptr);
  ASSERT_NE(instances[1], nullptr);
  constexpr int kThreads = 16;
  std::atomic<int> succeeded = 0;
  std::atomic<int> conflicted = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const User user = MakeUser(100 + i, i % 2 == 0 ? "Sprinter" : "sPRINTER");
      const Status status = RunSync(instances[i % 2]->CreateUser(user, "hash"));
      if (status.ok()) ++succeeded;
      if (!status.ok() && status.error().code == ErrorCode::kConflict) ++conflicted;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 1);
  EXPECT_EQ(conflicted.load(), kThreads - 1);
  // The winner's user and claim agree.
  Result<UserCredentials> winner = RunSync(instances[0]->FindUserByUsername("sprinter"));
  ASSERT_TRUE(winner.ok());
  EXPECT_TRUE(RunSync(instances[1]->GetUser(winner->user.id)).ok());
}

TEST_F(DynamoDbStoreTest, AnAbandonedUsernameClaimIsTakenOverOnlyWhenOld) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  // What a sign-up that died between its two writes leaves: a claim without its user.
  RawCall("PutItem",
          {{"TableName", table()}, {"Item", dynamodb::UsernameItem("ghost", Id(7), At(0))}});

  User early = MakeUser(1, "Ghost");
  early.created_at = At(30);  // 30 s after the claim: it may be a sign-up in flight
  EXPECT_EQ(RunSync(store->CreateUser(early, "h")).error().code, ErrorCode::kConflict);

  User late = MakeUser(2, "Ghost");
  late.created_at = At(600);
  ASSERT_TRUE(RunSync(store->CreateUser(late, "h")).ok());
  EXPECT_EQ(RunSync(store->FindUserByUsername("ghost"))->user.id, late.id);
}

TEST_F(DynamoDbStoreTest, GetCompetitionsReadsMoreThanOneHundredIdsInChunks) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  constexpr int kCount = 230;
  std::vector<std::string> ids;
  for (int i = 1; i <= kCount; ++i) {
    ASSERT_TRUE(
        RunSync(store->CreateCompetition(MakeCompetition(i, "2026-06-01", "2026-06-02"))).ok());
    ids.push_back(Id(i));
  }
  ids.push_back(Id(1));     // a duplicate
  ids.push_back(Id(9999));  // a missing one

  const uint64_t calls_before = store->Counters().at(0).value;
  Result<std::vector<Competition>> found = RunSync(store->GetCompetitions(ids));
  ASSERT_TRUE(found.ok()) << found.error().message;
  std::set<std::string> found_ids;
  for (const Competition& competition : *found) found_ids.insert(competition.id);
  EXPECT_EQ(found->size(), static_cast<size_t>(kCount));
  EXPECT_EQ(found_ids.size(), static_cast<size_t>(kCount));
  EXPECT_FALSE(found_ids.contains(Id(9999)));
  // 231 distinct keys: three BatchGetItem calls of at most 100.
  EXPECT_EQ(store->Counters().at(0).value - calls_before, 3U);
}

TEST_F(DynamoDbStoreTest, FeedOfManyFollowsWalksThePagesCompetitionsAndCountsItsCalls) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const User fan = MakeUser(1, "fan");
  ASSERT_TRUE(RunSync(store->CreateUser(fan, "h")).ok());
  // More athletes than the 32 queries kept in flight, each at its own competition.
  constexpr int kAthletes = 40;
  for (int i = 0; i < kAthletes; ++i) {
    const Athlete athlete = AddFollowedAthlete(*store, fan, 100 + i);
    const Competition competition = MakeCompetition(500 + i, "2026-07-01", "2026-07-03");
    ASSERT_TRUE(RunSync(store->CreateCompetition(competition)).ok());
    Event event;
    event.id = Id(1000 + i);
    event.athlete_id = athlete.id;
    event.competition_id = competition.id;
    event.name = "100m";
    event.date_time = DateTime::Parse("2026-07-02T10:00:00Z").value();
    ASSERT_TRUE(RunSync(store->CreateEvent(event)).ok());
  }

  const uint64_t calls_before = store->Counters().at(0).value;
  FeedQuery query{.user_id = fan.id, .from = D("2026-06-01"), .limit = 15};
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    Result<Page<FeedEntry>> page = RunOnThreads(store->Feed(query), 4);
    ASSERT_TRUE(page.ok()) << page.error().message;
    ++pages;
    for (const FeedEntry& entry : page->items) {
      seen.push_back(entry.competition.id);
      ASSERT_EQ(entry.athletes.size(), 1U);
    }
    if (!page->has_more) break;
    query.after = CompetitionCursor{page->items.back().competition.start_date,
                                    page->items.back().competition.id};
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), static_cast<size_t>(kAthletes));
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
  // Per page: the user's partition and the span; one Query of the competitions (16: the page and
  // the one after it; 10 on the last page) and one Query of the events at each; one BatchGetItem
  // of the athletes. Reading every calendar would have taken 3 x (2 + 40 + 1 + 1) = 132.
  EXPECT_EQ(store->Counters().at(0).value - calls_before,
            (2U + 1 + 16 + 1) + (2 + 1 + 16 + 1) + (2 + 1 + 10 + 1));
}

// A start list page and a followers page each cost one Query and one BatchGetItem, however many
// athletes or followers the page names.
TEST_F(DynamoDbStoreTest, StartListAndFollowersPagesTakeTwoCallsEach) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const User fan = MakeUser(1, "fan");
  ASSERT_TRUE(RunSync(store->CreateUser(fan, "h")).ok());
  const Competition competition = MakeCompetition(2, "2026-07-01", "2026-07-03");
  ASSERT_TRUE(RunSync(store->CreateCompetition(competition)).ok());
  constexpr int kAthletes = 30;
  std::vector<Athlete> athletes;
  for (int i = 0; i < kAthletes; ++i) {
    athletes.push_back(AddFollowedAthlete(*store, fan, 100 + i));
    Event event;
    event.id = Id(1000 + i);
    event.athlete_id = athletes.back().id;
    event.competition_id = competition.id;
    event.name = "100m heat " + std::to_string(i);
    char date_time[32];
    std::snprintf(date_time, sizeof date_time, "2026-07-02T10:%02d:00Z", i);
    event.date_time = DateTime::Parse(date_time).value();
    ASSERT_TRUE(RunSync(store->CreateEvent(event)).ok());
  }
  for (int i = 0; i < 12; ++i) {
    const User follower = MakeUser(200 + i, "follower" + std::to_string(i));
    ASSERT_TRUE(RunSync(store->CreateUser(follower, "h")).ok());
    ASSERT_TRUE(RunSync(store->Follow(follower.id, athletes[0].id, At(i))).ok());
  }

  uint64_t calls_before = store->Counters().at(0).value;
  Result<Page<StartListEntry>> start_list =
      RunSync(store->ListCompetitionEvents({.competition_id = competition.id, .limit = 20}));
  ASSERT_TRUE(start_list.ok()) << start_list.error().message;
  EXPECT_EQ(start_list->items.size(), 20U);
  EXPECT_TRUE(start_list->has_more);
  EXPECT_EQ(store->Counters().at(0).value - calls_before, 2U);

  calls_before = store->Counters().at(0).value;
  Result<Page<Follower>> followers =
      RunSync(store->ListFollowers({.athlete_id = athletes[0].id, .limit = 10}));
  ASSERT_TRUE(followers.ok()) << followers.error().message;
  EXPECT_EQ(followers->items.size(), 10U);
  EXPECT_EQ(store->Counters().at(0).value - calls_before, 2U);
}

TEST_F(DynamoDbStoreTest, FeedReadsEveryCalendarWhenTheFollowedAthletesCompeteRarely) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const User fan = MakeUser(1, "fan");
  ASSERT_TRUE(RunSync(store->CreateUser(fan, "h")).ok());
  // 45 competitions where nobody followed competes, then two where the 40 followed athletes
  // (more than the 32 queries kept in flight) do.
  for (int i = 0; i < 45; ++i) {
    ASSERT_TRUE(
        RunSync(store->CreateCompetition(MakeCompetition(500 + i, "2026-07-01", "2026-07-01")))
            .ok());
  }
  const Competition first = MakeCompetition(600, "2026-08-01", "2026-08-02");
  const Competition second = MakeCompetition(601, "2026-09-01", "2026-09-01");
  ASSERT_TRUE(RunSync(store->CreateCompetition(first)).ok());
  ASSERT_TRUE(RunSync(store->CreateCompetition(second)).ok());
  constexpr int kAthletes = 40;
  for (int i = 0; i < kAthletes; ++i) {
    const Athlete athlete = AddFollowedAthlete(*store, fan, 100 + i);
    Event event;
    event.id = Id(1000 + i);
    event.athlete_id = athlete.id;
    event.competition_id = i % 2 == 0 ? first.id : second.id;
    event.name = "100m";
    event.date_time =
        DateTime::Parse(i % 2 == 0 ? "2026-08-01T10:00:00Z" : "2026-09-01T10:00:00Z").value();
    ASSERT_TRUE(RunSync(store->CreateEvent(event)).ok());
  }

  const uint64_t calls_before = store->Counters().at(0).value;
  Result<Page<FeedEntry>> page =
      RunOnThreads(store->Feed({.user_id = fan.id, .from = D("2026-06-01")}), 4);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->items.size(), 2U);
  EXPECT_FALSE(page->has_more);
  EXPECT_EQ(page->items[0].competition.id, first.id);
  EXPECT_EQ(page->items[0].athletes.size(), static_cast<size_t>(kAthletes / 2));
  EXPECT_EQ(page->items[1].competition.id, second.id);
  EXPECT_EQ(page->items[1].athletes.size(), static_cast<size_t>(kAthletes / 2));
  // The partition and the span; the walk's first batch (a Query and 32 event Queries) and its
  // second Query (15 more competitions), which takes it past 40 calls; then one Query per
  // calendar and a BatchGetItem each of the athletes and of the competitions.
  EXPECT_EQ(store->Counters().at(0).value - calls_before, 2U + (1 + 32) + 1 + (kAthletes + 1 + 1));
}

TEST_F(DynamoDbStoreTest, ItemsArePlainDynamoDbData) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  User user = MakeUser(1, "alice");
  ASSERT_TRUE(RunSync(store->CreateUser(user, "hash")).ok());
  Athlete athlete;
  athlete.id = user.id;
  athlete.first_name = "Alice";
  athlete.last_name = "Runner";
  athlete.disciplines = {"100m"};
  ASSERT_TRUE(RunSync(store->CreateAthlete(athlete)).ok());
  ASSERT_TRUE(
      RunSync(store->CreateCompetition(MakeCompetition(2, "2026-06-01", "2026-06-02"))).ok());

  const dynamodb::Reply scanned = RawCall("Scan", {{"TableName", table()}});
  const json::array& items = scanned.body.at("Items").as_array();
  EXPECT_GE(items.size(), 4U);  // user, username claim, athlete, competition (and the span)
  const std::set<std::string> plain = {"S", "N", "BOOL", "L", "M", "NULL"};
  for (const json::value& item : items) {
    for (const auto& [name, value] : item.as_object()) {
      ASSERT_EQ(value.as_object().size(), 1U) << name;
      EXPECT_TRUE(plain.contains(std::string(value.as_object().begin()->key())))
          << name << " is " << value.as_object().begin()->key();
    }
  }
  const dynamodb::Reply competition =
      RawCall("GetItem", {{"TableName", table()}, {"Key", dynamodb::CompetitionKey(Id(2))}});
  const json::object& item = competition.body.at("Item").as_object();
  EXPECT_EQ(item.at("name").at("S").as_string(), "Meet 2");
  EXPECT_EQ(item.at("start_date").at("S").as_string(), "2026-06-01");
  EXPECT_EQ(item.at("version").at("N").as_string(), "1");
  EXPECT_EQ(item.at("created_at").at("S").as_string(), FormatUtc(At(1)));
  EXPECT_TRUE(item.at("description").at("NULL").as_bool());
}

TEST_F(DynamoDbStoreTest, PasswordChangeInvalidatesSessionsOtherInstancesStillHold) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  User user = MakeUser(1, "alice");
  ASSERT_TRUE(RunSync(store->CreateUser(user, "hash")).ok());
  ASSERT_TRUE(RunSync(store->CreateSession({"keep", user.id, At(0), At(3600)})).ok());
  ASSERT_TRUE(RunSync(store->CreateSession({"other", user.id, At(0), At(3600)})).ok());
  // A session item left behind (a sweep that had not got to it yet) still does not work.
  const dynamodb::Reply stale =
      RawCall("GetItem", {{"TableName", table()}, {"Key", dynamodb::SessionKey("other")}});
  json::object leftover = stale.body.at("Item").as_object();

  user.version = 2;
  ASSERT_TRUE(RunSync(store->UpdateUser(user, 1, std::string("new"), "keep")).ok());
  RawCall("PutItem", {{"TableName", table()}, {"Item", leftover}});
  EXPECT_TRUE(RunSync(store->FindSession("keep")).ok());
  EXPECT_EQ(RunSync(store->FindSession("other")).error().code, ErrorCode::kNotFound);
}

TEST_F(DynamoDbStoreTest, ListCompetitionsFromFindsLongCompetitionsThatStartedEarlier) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  // `from` starts the key range at `from` minus the longest span stored: a season-long
  // competition that started long before `from` still overlaps it and is found.
  ASSERT_TRUE(
      RunSync(store->CreateCompetition(MakeCompetition(1, "2025-01-01", "2026-12-31"))).ok());
  ASSERT_TRUE(
      RunSync(store->CreateCompetition(MakeCompetition(2, "2025-06-01", "2025-06-02"))).ok());
  ASSERT_TRUE(
      RunSync(store->CreateCompetition(MakeCompetition(3, "2026-06-01", "2026-06-02"))).ok());
  Result<Page<Competition>> page = RunSync(store->ListCompetitions({.from = D("2026-05-01")}));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2U);
  EXPECT_EQ(page->items[0].id, Id(1));
  EXPECT_EQ(page->items[1].id, Id(3));
}

// A creation that failed between its two writes leaves an id in the registry and no endpoint:
// readers skip it, and the id can still be used.
TEST_F(DynamoDbStoreTest, AnEndpointIdRegisteredButNeverWrittenIsSkipped) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  RawCall("UpdateItem",
          {{"TableName", table()},
           {"Key", dynamodb::WebhookRegistryKey()},
           {"UpdateExpression", "ADD ids :id"},
           {"ExpressionAttributeValues", json::object{{":id", json::object{{"SS", {Id(7)}}}}}}});
  Result<Page<WebhookEndpoint>> none = RunSync(store->ListWebhookEndpoints({}));
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_TRUE(none->items.empty());

  const WebhookEndpoint endpoint = AddWebhookEndpoint(*store, 7);
  Result<Page<WebhookEndpoint>> one = RunSync(store->ListWebhookEndpoints({}));
  ASSERT_TRUE(one.ok()) << one.error().message;
  ASSERT_EQ(one->items.size(), 1U);
  ASSERT_TRUE(RunSync(store->DeleteWebhookEndpoint(endpoint.id, std::nullopt)).ok());
  const dynamodb::Reply registry =
      RawCall("GetItem", {{"TableName", table()}, {"Key", dynamodb::WebhookRegistryKey()}});
  EXPECT_FALSE(registry.body.at("Item").as_object().contains("ids")) << "its id left with it";
}

// During a rolling upgrade, instances of the earlier version list endpoints only in gsi1 and
// put the deliveries they attempt back on the shared due list, after this version's migration
// ran: this version still sees both, and instances of the earlier version see its endpoints.
TEST_F(DynamoDbStoreTest, WhatInstancesOfTheEarlierVersionWriteIsStillSeen) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const WebhookEndpoint endpoint = AddWebhookEndpoint(*store, 1);
  const dynamodb::Reply item =
      RawCall("GetItem", {{"TableName", table()}, {"Key", dynamodb::WebhookKey(endpoint.id)}});
  EXPECT_EQ(dynamodb::StringOf(item.body.at("Item").as_object(), dynamodb::kGsi1Pk),
            dynamodb::kLegacyWebhookList)
      << "still listed where the earlier version looks";
  FanOutFromStart(*store, 1, {PendingDelivery(endpoint.id, 1)});
  // As an instance of the earlier version leaves them: no registry, the shared due list.
  RawCall("DeleteItem", {{"TableName", table()}, {"Key", dynamodb::WebhookRegistryKey()}});
  RawCall("UpdateItem", {{"TableName", table()},
                         {"Key", dynamodb::DeliveryKey(endpoint.id, 1)},
                         {"UpdateExpression", "SET gsi1pk = :due"},
                         {"ExpressionAttributeValues",
                          json::object{{":due", dynamodb::S(dynamodb::kLegacyDueDeliveries)}}}});

  Result<Page<WebhookEndpoint>> listed = RunSync(store->ListWebhookEndpoints({}));
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->items.size(), 1U);
  Result<std::vector<WebhookDelivery>> claimed =
      RunSync(store->ClaimDueDeliveries({{"a", At(500)}, At(100), 10, 4}));
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  ASSERT_EQ(claimed->size(), 1U);
  EXPECT_EQ((*claimed)[0].change_id, 1);
}

// A delete that failed after removing the endpoint item leaves its deliveries and its registry
// id; retention's sweep removes them once two passes in a row found no endpoint for the id.
TEST_F(DynamoDbStoreTest, RetentionSweepsWhatAFailedEndpointDeleteLeft) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const WebhookEndpoint endpoint = EndpointLeftByAFailedDelete(*store);
  ASSERT_TRUE(RunSync(store->DeleteFinishedDeliveriesBefore(At(0))).ok());
  EXPECT_TRUE(DeliveryStored(endpoint.id, 1))
      << "the first pass only notes the id (a creation may be half way)";
  ASSERT_TRUE(RunSync(store->DeleteFinishedDeliveriesBefore(At(0))).ok());
  EXPECT_FALSE(DeliveryStored(endpoint.id, 1));
  const dynamodb::Reply registry =
      RawCall("GetItem", {{"TableName", table()}, {"Key", dynamodb::WebhookRegistryKey()}});
  EXPECT_FALSE(registry.body.at("Item").as_object().contains("ids"));
}

// A sweep that fails while removing what a deleted endpoint left keeps the id in mind: the next
// pass removes the rest.
TEST_F(DynamoDbStoreTest, ASweepThatFailsPartWayIsFinishedByTheNextPass) {
  ::tt::testing::FaultProxy proxy(::tt::testing::SharedDynalite().port());
  options_.client.settings.endpoint = proxy.endpoint();
  options_.client.max_attempts = 1;
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const WebhookEndpoint endpoint = EndpointLeftByAFailedDelete(*store);
  ASSERT_TRUE(RunSync(store->DeleteFinishedDeliveriesBefore(At(0))).ok());
  // The second pass's registry read, endpoint read and read of the endpoint's partition pass;
  // the deletion of what the partition holds fails.
  proxy.FailAfter(3, ::tt::testing::FaultProxy::Mode::kServerError, 1);
  const int requests_before = proxy.requests();
  EXPECT_FALSE(RunSync(store->DeleteFinishedDeliveriesBefore(At(0))).ok());
  EXPECT_EQ(proxy.requests() - requests_before, 4) << "the pass stopped at the deletion";
  EXPECT_TRUE(DeliveryStored(endpoint.id, 1));
  ASSERT_TRUE(RunSync(store->DeleteFinishedDeliveriesBefore(At(0))).ok());
  EXPECT_FALSE(DeliveryStored(endpoint.id, 1));
}

// A fan-out step tried again after its endpoint was deleted removes what its earlier try wrote
// after the delete had read the endpoint's partition.
TEST_F(DynamoDbStoreTest, AFanOutForAnEndpointDeletedMeanwhileRemovesWhatAnEarlierTryWrote) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const WebhookEndpoint endpoint = AddWebhookEndpoint(*store, 1);
  ASSERT_TRUE(RunSync(store->DeleteWebhookEndpoint(endpoint.id, std::nullopt)).ok());
  RawCall("PutItem", {{"TableName", table()},
                      {"Item", dynamodb::DeliveryItem(PendingDelivery(endpoint.id, 1))}});
  FanOutFromStart(*store, 1, {PendingDelivery(endpoint.id, 1)});
  EXPECT_FALSE(DeliveryStored(endpoint.id, 1));
}

// DynamoDB leases deliveries one conditional write at a time: a claim failing part-way answers
// those it leased, rather than leaving them idle until their lease ends.
TEST_F(DynamoDbStoreTest, AClaimFailingPartWayAnswersWhatItLeased) {
  ::tt::testing::FaultProxy proxy(::tt::testing::SharedDynalite().port());
  options_.client.settings.endpoint = proxy.endpoint();
  options_.client.max_attempts = 1;
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const WebhookEndpoint endpoint = AddWebhookEndpoint(*store, 1);
  FanOutFromStart(*store, 3,
                  {PendingDelivery(endpoint.id, 1), PendingDelivery(endpoint.id, 2),
                   PendingDelivery(endpoint.id, 3)});

  // The claim's five reads (the registry, the old endpoint list, the endpoints, the due list, the
  // old due list) and its first lease pass; the second lease fails.
  proxy.FailAfter(6, ::tt::testing::FaultProxy::Mode::kServerError, 1);
  Result<std::vector<WebhookDelivery>> claimed =
      RunSync(store->ClaimDueDeliveries({{"a", At(500)}, At(100), 10, 4}));
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  ASSERT_EQ(claimed->size(), 1U);
  EXPECT_EQ((*claimed)[0].change_id, 1);
  // The others are free for the next claim.
  Result<std::vector<WebhookDelivery>> next =
      RunSync(store->ClaimDueDeliveries({{"b", At(500)}, At(101), 10, 4}));
  ASSERT_TRUE(next.ok()) << next.error().message;
  ASSERT_EQ(next->size(), 2U);
  EXPECT_EQ((*next)[0].change_id, 2);

  proxy.FailAfter(5, ::tt::testing::FaultProxy::Mode::kServerError, 1);
  Result<std::vector<WebhookDelivery>> none =
      RunSync(store->ClaimDueDeliveries({{"c", At(9000)}, At(9000), 10, 4}));
  EXPECT_FALSE(none.ok()) << "failing before any lease is the error";
}

// A claim whose read of the earlier version's shared due list fails leases nothing: the
// deliveries its endpoint walk found wait for the next claim instead of a 45 s lease.
TEST_F(DynamoDbStoreTest, AClaimWhoseReadOfTheOldDueListFailsLeasesNothing) {
  ::tt::testing::FaultProxy proxy(::tt::testing::SharedDynalite().port());
  options_.client.settings.endpoint = proxy.endpoint();
  options_.client.max_attempts = 1;
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  const WebhookEndpoint endpoint = AddWebhookEndpoint(*store, 1);
  FanOutFromStart(*store, 1, {PendingDelivery(endpoint.id, 1)});

  // The registry, the old endpoint list, the endpoints and the endpoint's due list pass.
  proxy.FailAfter(4, ::tt::testing::FaultProxy::Mode::kServerError, 1);
  EXPECT_FALSE(RunSync(store->ClaimDueDeliveries({{"a", At(500)}, At(100), 10, 4})).ok());
  Result<std::vector<WebhookDelivery>> next =
      RunSync(store->ClaimDueDeliveries({{"b", At(500)}, At(101), 10, 4}));
  ASSERT_TRUE(next.ok()) << next.error().message;
  ASSERT_EQ(next->size(), 1U);
  EXPECT_EQ((*next)[0].change_id, 1);
}

// An id reserved but never written (a writer that died between its two calls, or one still on
// its way) holds readers back until the record after it is kHoleWait (10 s) old; then a
// reader closes it, and the late writer's record finds the id taken.
TEST_F(DynamoDbStoreTest, ChangeLogWaitsAtAHoleThenClosesItAndALateWriteFindsItTaken) {
  ::tt::testing::ManualClock clock;
  options_.clock = &clock;
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      RunSync(store->CreateCompetition(MakeCompetition(1, "2026-06-01", "2026-06-02"))).ok());
  RawCall("UpdateItem", {{"TableName", table()},
                         {"Key", dynamodb::MetaKey()},
                         {"UpdateExpression", "ADD change_seq :one"},
                         {"ExpressionAttributeValues", json::object{{":one", dynamodb::N(1)}}}});
  ASSERT_TRUE(
      RunSync(store->CreateCompetition(MakeCompetition(3, "2026-06-01", "2026-06-02"))).ok());

  Result<Page<Change>> waiting = RunSync(store->ListChanges({.after = 0, .limit = 10}));
  ASSERT_TRUE(waiting.ok()) << waiting.error().message;
  ASSERT_EQ(waiting->items.size(), 1U) << "nothing past the hole at id 2";
  EXPECT_EQ(waiting->items[0].id, 1);
  EXPECT_FALSE(waiting->has_more);

  clock.Advance(std::chrono::seconds(9));
  EXPECT_EQ(RunSync(store->ListChanges({.after = 0, .limit = 10}))->items.size(), 1U);
  clock.Advance(std::chrono::seconds(2));
  Result<Page<Change>> closed = RunSync(store->ListChanges({.after = 1, .limit = 10}));
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  ASSERT_EQ(closed->items.size(), 1U);
  EXPECT_EQ(closed->items[0].id, 3);

  dynamodb::Client client(options_.client, logger_);
  const json::object late =
      dynamodb::ChangeItem(Change{2, ChangeType::kCompetitionCreated, clock.Now(), "{}"});
  const json::object put{
      {"TableName", table()}, {"Item", late}, {"ConditionExpression", "attribute_not_exists(pk)"}};
  Result<dynamodb::Reply> refused = RunSync(client.Call("PutItem", put));
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->error_type, "ConditionalCheckFailedException");
  Result<Page<Change>> all = RunSync(store->ListChanges({.after = 0, .limit = 10}));
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->items.size(), 2U) << "the closed id is skipped, not shown";
}

TEST(DynamoDbChangeSortKey, SpellsIdsInOrderAndReadsBackOnlyItsOwnSpelling) {
  EXPECT_EQ(dynamodb::ChangeSortKey(42), "0000000000000000042");
  EXPECT_LT(dynamodb::ChangeSortKey(9), dynamodb::ChangeSortKey(10));
  for (int64_t id : {int64_t{0}, int64_t{1}, int64_t{42}, INT64_MAX}) {
    EXPECT_EQ(dynamodb::ParseChangeSortKey(dynamodb::ChangeSortKey(id)), id);
  }
  EXPECT_EQ(dynamodb::ParseChangeSortKey("42"), std::nullopt) << "not padded";
  EXPECT_EQ(dynamodb::ParseChangeSortKey("000000000000000004x"), std::nullopt);
  EXPECT_EQ(dynamodb::ParseChangeSortKey(""), std::nullopt);
}

// A change record that is not what the store writes is answered kInternal (and logged), by the
// reader and by retention alike, never skipped: skipping would lose a change for good.
TEST_F(DynamoDbStoreTest, AMalformedChangeRecordIsAnErrorForReadersAndRetention) {
  std::unique_ptr<DynamoDbStore> store = OpenInstance();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      RunSync(store->CreateCompetition(MakeCompetition(1, "2026-06-01", "2026-06-02"))).ok());
  Result<Page<Change>> read = RunSync(store->ListChanges({.after = 0, .limit = 10}));
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->items.size(), 1U);
  RawCall("UpdateItem",
          {{"TableName", table()},
           {"Key", dynamodb::ChangeKey(read->items[0].id)},
           {"UpdateExpression", "SET occurred_at = :bad"},
           {"ExpressionAttributeValues", json::object{{":bad", dynamodb::S("soon")}}}});

  EXPECT_EQ(RunSync(store->ListChanges({.after = 0, .limit = 10})).error().code,
            ErrorCode::kInternal);
  EXPECT_EQ(RunSync(store->DeleteChangesBefore(At(100000))).error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace tt
