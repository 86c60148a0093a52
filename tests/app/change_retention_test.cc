#include "app/change_retention.h"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "api/change_encoder.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/faulty_store.h"
#include "support/log_file.h"
#include "support/manual_clock.h"
#include "support/run_sync.h"
#include "support/temp_dir.h"

namespace tt::app {
namespace {

using ::tt::testing::ManualClock;
using ::tt::testing::RunSync;
using namespace std::chrono_literals;

Competition Meet(int n, Timestamp at) {
  Competition competition;
  competition.id = "00000000-0000-4000-8000-00000000000" + std::to_string(n);
  competition.name = "Meet " + std::to_string(n);
  competition.location = "Eugene, OR";
  competition.start_date = Date::Parse("2026-07-04").value();
  competition.end_date = competition.start_date;
  competition.created_at = at;
  competition.updated_at = at;
  return competition;
}

// Creates Meet(n), then lets 8 days pass: its change record is then past a week's retention.
void AddMeetPastAWeek(Store& store, ManualClock& clock, int n) {
  ASSERT_TRUE(RunSync(store.CreateCompetition(Meet(n, clock.Now()))).ok());
  clock.Advance(std::chrono::hours(24) * 8);
}

std::vector<int64_t> ChangeIds(Store& store) {
  Result<Page<Change>> page = RunSync(store.ListChanges({.after = 0, .limit = 200}));
  EXPECT_TRUE(page.ok());
  std::vector<int64_t> ids;
  if (page.ok()) {
    for (const Change& change : page->items) ids.push_back(change.id);
  }
  return ids;
}

// A SQLite store in `dir` whose writes are stamped by `clock`.
Result<std::unique_ptr<SqliteStore>> OpenStore(const ::tt::testing::TempDir& dir,
                                               const Clock& clock, Logger& logger) {
  return SqliteStore::Open({.path = (dir.path() / "t.db").string(),
                            .change_encoder = api::MakeChangeEncoder(),
                            .clock = &clock},
                           logger);
}

// The retention loop spawned on `io` as the server spawns it, and stopped as the server stops it
// before closing the store: cancelled, then waited for, so that no store call is left in flight
// when the test's io_context and store go. Declare it after both.
class RetentionLoop {
 public:
  RetentionLoop(boost::asio::io_context& io, Store& store, const Clock& clock,
                std::chrono::hours retention, std::chrono::milliseconds interval, Logger& logger)
      : io_(io) {
    boost::asio::co_spawn(io, ApplyRetentionPeriodically(store, clock, retention, interval, logger),
                          boost::asio::bind_cancellation_slot(
                              stop_.slot(), [this](std::exception_ptr) { ended_ = true; }));
  }
  ~RetentionLoop() {
    stop_.emit(boost::asio::cancellation_type::terminal);
    for (int i = 0; i < 500 && !ended_; ++i) {
      io_.restart();
      io_.run_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(ended_) << "the loop ends when cancelled";
  }

 private:
  boost::asio::io_context& io_;
  boost::asio::cancellation_signal stop_;
  bool ended_ = false;
};

// Runs the retention loop beside the test for a while, as the server runs it beside requests.
void RunFor(boost::asio::io_context& io, std::chrono::milliseconds duration) {
  io.restart();
  io.run_for(duration);
}

TEST(ChangeRetention, EachPassForgetsWhatHasGrownOlderThanTheRetention) {
  ::tt::testing::TempDir dir;
  Logger logger(LogLevel::kWarn);
  ManualClock clock;
  Result<std::unique_ptr<SqliteStore>> store = OpenStore(dir, clock, logger);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE(RunSync((*store)->CreateCompetition(Meet(1, clock.Now()))).ok());
  clock.Advance(std::chrono::hours(24) * 5);
  ASSERT_TRUE(RunSync((*store)->CreateCompetition(Meet(2, clock.Now()))).ok());
  const std::vector<int64_t> ids = ChangeIds(**store);
  ASSERT_EQ(ids.size(), 2U);

  boost::asio::io_context io;
  RetentionLoop loop(io, **store, clock, std::chrono::hours(24) * 7, 20ms, logger);
  RunFor(io, 200ms);
  EXPECT_EQ(ChangeIds(**store), ids) << "nothing is a week old yet";

  clock.Advance(std::chrono::hours(24) * 3);  // the first is 8 days old, the second 3
  RunFor(io, 200ms);
  EXPECT_EQ(ChangeIds(**store), std::vector<int64_t>{ids[1]});

  clock.Advance(std::chrono::hours(24) * 5);  // a later pass takes the second
  RunFor(io, 200ms);
  EXPECT_TRUE(ChangeIds(**store).empty());
}

TEST(ChangeRetention, EachPassAlsoForgetsDeliveriesThatFinishedBeforeTheRetention) {
  ::tt::testing::TempDir dir;
  Logger logger(LogLevel::kWarn);
  ManualClock clock;
  Result<std::unique_ptr<SqliteStore>> store = OpenStore(dir, clock, logger);
  ASSERT_TRUE(store.ok()) << store.error().message;
  WebhookEndpoint endpoint;
  endpoint.id = "00000000-0000-4000-8000-000000000009";
  endpoint.url = "https://hooks.example.com/";
  endpoint.types = {"*"};
  endpoint.created_at = endpoint.updated_at = clock.Now();
  ASSERT_TRUE(
      RunSync((*store)->CreateWebhookEndpoint(endpoint, WebhookSecrets{"sb1:s", {}, {}})).ok());
  WebhookDelivery delivery;
  delivery.endpoint_id = endpoint.id;
  delivery.change_id = 1;
  delivery.body = "{}";
  delivery.next_attempt_at = delivery.pending_since = delivery.created_at = clock.Now();
  const Lease lease{"test", clock.Now() + std::chrono::minutes(1)};
  ASSERT_TRUE(RunSync((*store)->LeaseFanOut(lease, clock.Now())).ok());
  ASSERT_TRUE(RunSync((*store)->FanOut(lease, 0, 1, {delivery})).ok());
  ASSERT_TRUE(RunSync((*store)->ClaimDueDeliveries({lease, clock.Now(), 1, 1})).ok());
  delivery.status = DeliveryStatus::kSucceeded;
  delivery.attempts = 1;
  delivery.last_attempt_at = clock.Now();
  ASSERT_TRUE(RunSync((*store)->RecordDeliveryAttempt(delivery, lease, false)).ok());
  auto listed = [&] {
    return RunSync((*store)->ListWebhookDeliveries({endpoint.id, std::nullopt, 10}))->items.size();
  };

  boost::asio::io_context io;
  RetentionLoop loop(io, **store, clock, std::chrono::hours(24) * 7, 20ms, logger);
  RunFor(io, 200ms);
  EXPECT_EQ(listed(), 1U) << "it finished today";
  clock.Advance(std::chrono::hours(24) * 8);
  RunFor(io, 200ms);
  EXPECT_EQ(listed(), 0U);
}

// A pass that throws (a bug below the store's interface) is logged, and the next pass runs.
TEST(ChangeRetention, APassThatThrowsDoesNotEndTheLoop) {
  ::tt::testing::TempDir dir;
  Logger logger(LogLevel::kOff);
  ManualClock clock;
  Result<std::unique_ptr<SqliteStore>> store = OpenStore(dir, clock, logger);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_NO_FATAL_FAILURE(AddMeetPastAWeek(**store, clock, 1));
  ::tt::testing::FaultyStore faulty(**store);
  faulty.Throw("DeleteChangesBefore", 1);

  boost::asio::io_context io;
  RetentionLoop loop(io, faulty, clock, std::chrono::hours(24) * 7, 20ms, logger);
  RunFor(io, 200ms);
  EXPECT_TRUE(ChangeIds(**store).empty()) << "the pass after the one that threw forgot it";
}

// A deletion of finished deliveries that throws or answers an error is logged, and the passes
// go on: the change log's deletion of the same pass ran before it, and later passes run both.
TEST(ChangeRetention, AFailingDeliveryDeletionIsLoggedAndThePassesGoOn) {
  ::tt::testing::TempDir dir;
  ::tt::testing::LogFile log;
  Logger logger(LogLevel::kWarn, log.get());
  ManualClock clock;
  Result<std::unique_ptr<SqliteStore>> store = OpenStore(dir, clock, logger);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_NO_FATAL_FAILURE(AddMeetPastAWeek(**store, clock, 1));
  ::tt::testing::FaultyStore faulty(**store);
  faulty.Throw("DeleteFinishedDeliveriesBefore", 1);  // the first pass
  faulty.Fail("DeleteFinishedDeliveriesBefore", Error::Unavailable("injected"), 1);  // the second

  boost::asio::io_context io;
  RetentionLoop loop(io, faulty, clock, std::chrono::hours(24) * 7, 20ms, logger);
  RunFor(io, 200ms);
  EXPECT_TRUE(ChangeIds(**store).empty());
  ASSERT_NO_FATAL_FAILURE(AddMeetPastAWeek(**store, clock, 2));
  RunFor(io, 200ms);
  EXPECT_TRUE(ChangeIds(**store).empty()) << "a pass after the failing ones forgot the second";

  const std::string logged = log.Text();
  EXPECT_NE(logged.find("retention of finished webhook deliveries failed: injected exception"),
            std::string::npos)
      << logged;
  EXPECT_NE(logged.find("retention of finished webhook deliveries: injected; trying again later"),
            std::string::npos)
      << logged;
}

// The server stops the loop by cancelling it (and waits for it) before it closes the store.
TEST(ChangeRetention, TheLoopEndsWhenCancelled) {
  ::tt::testing::TempDir dir;
  Logger logger(LogLevel::kWarn);
  ManualClock clock;
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(
      {.path = (dir.path() / "t.db").string(), .change_encoder = api::MakeChangeEncoder()}, logger);
  ASSERT_TRUE(store.ok()) << store.error().message;

  boost::asio::io_context io;
  boost::asio::cancellation_signal stop;
  bool ended = false;
  boost::asio::co_spawn(
      io, ApplyRetentionPeriodically(**store, clock, std::chrono::hours(24), 1h, logger),
      boost::asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr) { ended = true; }));
  RunFor(io, 50ms);
  EXPECT_FALSE(ended) << "it runs until cancelled";
  stop.emit(boost::asio::cancellation_type::terminal);
  RunFor(io, 1s);
  EXPECT_TRUE(ended);
}

}  // namespace
}  // namespace tt::app
