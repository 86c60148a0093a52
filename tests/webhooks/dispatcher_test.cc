// The dispatcher on SQLite with receivers on loopback: what the fan-out creates, and how it
// stops. Delivery end to end (signatures checked by an independent HMAC, retries, 410, kill -9,
// two instances) is tested over HTTP in tests/integration/webhooks_test.cc.
#include "webhooks/dispatcher.h"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <span>
#include <string>
#include <vector>

#include "api/change_encoder.h"
#include "security/tokens.h"
#include "security/webhook_signature.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/faulty_store.h"
#include "support/run_sync.h"
#include "support/temp_dir.h"

namespace tt::webhooks {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ::tt::testing::RunSync;
using namespace std::chrono_literals;

// Draws of 1 - 2^-53: each retry waits its whole cap (5 s after a first failure), so a test sees
// exactly the attempts it made.
class LongestWaits : public RandomSource {
 public:
  void Fill(std::span<std::byte> out) override {
    for (std::byte& b : out) b = std::byte{0xff};
  }
};

// Runs `io` for a few milliseconds. An io_context that ran out of work (Run waiting on a store
// call that SQLite's writer thread will post back) is stopped, and run_for on it returns at once
// without running what is posted later: restart it first.
void RunSlice(asio::io_context& io) {
  io.restart();
  io.run_for(5ms);
}

// Dispatcher::Run spawned on `io` as the server spawns it, with the signal that stops it.
class DispatcherRun {
 public:
  DispatcherRun(asio::io_context& io, Dispatcher& dispatcher) : io_(io) {
    asio::co_spawn(io, dispatcher.Run(),
                   asio::bind_cancellation_slot(stop_.slot(), [this](std::exception_ptr failure) {
                     EXPECT_FALSE(failure);
                     ended_ = true;
                   }));
  }
  // Cancels Run as the server's stop does and runs `io` for up to `grace`; whether Run ended.
  bool Stop(std::chrono::milliseconds grace = 2s) {
    stop_.emit(asio::cancellation_type::terminal);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (!ended_ && std::chrono::steady_clock::now() < deadline) RunSlice(io_);
    return ended_;
  }

 private:
  asio::io_context& io_;
  asio::cancellation_signal stop_;
  bool ended_ = false;
};

// Runs `io` in short slices until `done` holds or `timeout` passes; whether it held.
template <typename Predicate>
bool RunUntil(asio::io_context& io, Predicate done, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    RunSlice(io);
  }
  return true;
}

bool Shows(const Dispatcher& dispatcher, std::string_view line) {
  return dispatcher.RenderMetrics().find(line) != std::string::npos;
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(
        {.path = (dir_.path() / "t.db").string(), .change_encoder = api::MakeChangeEncoder()},
        logger_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    box_.emplace(SecretBox::Key{});
  }

  std::string AddEndpoint(const std::string& url, std::vector<std::string> types,
                          bool disabled = false) {
    WebhookEndpoint endpoint;
    endpoint.id = "00000000-0000-4000-8000-0000000000" + std::to_string(10 + endpoints_++);
    endpoint.url = url;
    endpoint.types = std::move(types);
    endpoint.disabled = disabled;
    endpoint.created_at = endpoint.updated_at = SystemClock().Now();
    WebhookSecrets secrets;
    secrets.current = box_->Seal(NewWebhookSecret(random_), random_);
    EXPECT_TRUE(RunSync(store_->CreateWebhookEndpoint(endpoint, secrets)).ok());
    return endpoint.id;
  }

  void CreateCompetition(int n = 1) {
    Competition competition;
    competition.id = "00000000-0000-4000-8000-" + std::string(12 - std::to_string(n).size(), '0') +
                     std::to_string(n);
    competition.name = "Bislett Games";
    competition.location = "Oslo";
    competition.start_date = Date::Parse("2027-06-11").value();
    competition.end_date = competition.start_date;
    competition.created_at = competition.updated_at = SystemClock().Now();
    ASSERT_TRUE(RunSync(store_->CreateCompetition(competition)).ok());
  }

  std::vector<WebhookDelivery> DeliveriesOf(const std::string& endpoint) {
    Result<Page<WebhookDelivery>> page =
        RunSync(store_->ListWebhookDeliveries({endpoint, std::nullopt, 50}));
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->items : std::vector<WebhookDelivery>{};
  }

  DispatcherOptions Options() {
    DispatcherOptions options;
    options.instance_id = "test-instance";
    options.poll_interval = 20ms;
    options.sender.allow_private = true;
    options.sender.timeout = 30s;
    return options;
  }

  ::tt::testing::TempDir dir_;
  Logger logger_{LogLevel::kOff};
  SystemClock clock_;
  SodiumRandom random_;
  LongestWaits longest_waits_;
  std::unique_ptr<SqliteStore> store_;
  std::optional<SecretBox> box_;
  int endpoints_ = 0;
};

TEST(DeliveryBody, IsTheChangeRecordsTypeTimestampAndData) {
  Change change;
  change.id = 42;
  change.type = ChangeType::kEventDeleted;
  change.occurred_at = Timestamp(std::chrono::seconds(1'800'000'000));
  change.data = R"({"id":"e1"})";
  EXPECT_EQ(
      DeliveryBody(change),
      R"({"type":"event.deleted","timestamp":"2027-01-15T08:00:00.000000Z","data":{"id":"e1"}})");
  EXPECT_EQ(WebhookMessageId(42), "msg_42");
}

// Deliveries are made for enabled endpoints that asked for the change's type, and only once
// however many rounds pass.
TEST_F(DispatcherTest, FansOutToEnabledEndpointsThatAskForTheType) {
  asio::io_context io;
  // Receivers that accept connections (the kernel's backlog) and never answer.
  tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  const std::string everything = AddEndpoint(url, {"*"});
  const std::string competitions = AddEndpoint(url, {"competition.created"});
  const std::string events = AddEndpoint(url, {"event.created"});
  const std::string disabled = AddEndpoint(url, {"*"}, /*disabled=*/true);
  CreateCompetition();

  Dispatcher dispatcher(*store_, *box_, clock_, longest_waits_, logger_, Options());
  DispatcherRun run(io, dispatcher);
  io.run_for(500ms);
  ASSERT_EQ(DeliveriesOf(everything).size(), 1U);
  ASSERT_EQ(DeliveriesOf(competitions).size(), 1U);
  EXPECT_TRUE(DeliveriesOf(events).empty()) << "not its type";
  EXPECT_TRUE(DeliveriesOf(disabled).empty()) << "disabled endpoints are not sent new changes";
  const WebhookDelivery delivery = DeliveriesOf(everything)[0];
  EXPECT_EQ(delivery.type, ChangeType::kCompetitionCreated);
  EXPECT_NE(delivery.body.find(R"("type":"competition.created")"), std::string::npos);
  EXPECT_NE(delivery.body.find("Bislett Games"), std::string::npos);

  // The attempts hang on the silent receivers. Stopping cancels them and records nothing: the
  // leases run out and the deliveries are made again later.
  EXPECT_TRUE(run.Stop()) << "Run returns once its attempts have ended";
  for (const std::string& endpoint : {everything, competitions}) {
    const std::vector<WebhookDelivery> deliveries = DeliveriesOf(endpoint);
    ASSERT_EQ(deliveries.size(), 1U);
    EXPECT_EQ(deliveries[0].status, DeliveryStatus::kPending);
    EXPECT_EQ(deliveries[0].attempts, 0);
  }
  EXPECT_NE(dispatcher.RenderMetrics().find("tt_webhook_deliveries_created_total 2\n"),
            std::string::npos)
      << dispatcher.RenderMetrics();
}

// An exception out of a round (a bug below the store's interface) is logged, and the next round
// runs: it does not end deliveries for the life of the process.
TEST_F(DispatcherTest, ARoundThatThrowsDoesNotEndDispatching) {
  asio::io_context io;
  tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::string endpoint =
      AddEndpoint("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()), {"*"});
  CreateCompetition();
  ::tt::testing::FaultyStore faulty(*store_);
  faulty.Throw("LeaseFanOut", 1);

  Dispatcher dispatcher(faulty, *box_, clock_, longest_waits_, logger_, Options());
  DispatcherRun run(io, dispatcher);
  io.run_for(500ms);
  EXPECT_EQ(DeliveriesOf(endpoint).size(), 1U) << "the round after the one that threw fanned out";
  EXPECT_NE(dispatcher.RenderMetrics().find("tt_webhook_dispatch_errors_total 1\n"),
            std::string::npos)
      << dispatcher.RenderMetrics();
  EXPECT_TRUE(run.Stop(2s));
}

// Changes that make many deliveries are fanned out in bounded steps, none lost between them.
TEST_F(DispatcherTest, ManyDeliveriesAreFannedOutInStepsWithNoneLost) {
  asio::io_context io;
  tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  std::vector<std::string> endpoints;
  for (int i = 0; i < 3; ++i) endpoints.push_back(AddEndpoint(url, {"*"}));
  for (int n = 1; n <= 45; ++n) CreateCompetition(n);  // 135 deliveries: two steps

  Dispatcher dispatcher(*store_, *box_, clock_, longest_waits_, logger_, Options());
  DispatcherRun run(io, dispatcher);
  io.run_for(1s);
  for (const std::string& endpoint : endpoints) {
    EXPECT_EQ(DeliveriesOf(endpoint).size(), 45U) << endpoint;
  }
  EXPECT_TRUE(run.Stop(2s));
}

// An endpoint whose secret this server's key cannot open is not sent to; the attempt fails with
// that reason and is retried later.
TEST_F(DispatcherTest, ASecretSealedUnderAnotherKeyIsNotSentAndSaysWhy) {
  asio::io_context io;
  tcp::acceptor receiver(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::string endpoint =
      AddEndpoint("http://127.0.0.1:" + std::to_string(receiver.local_endpoint().port()), {"*"});
  CreateCompetition();
  SecretBox::Key other_key;
  other_key.fill(7);
  const SecretBox other(other_key);
  bool connected = false;
  receiver.async_accept([&](boost::system::error_code error, tcp::socket) {
    if (!error) connected = true;
  });

  Dispatcher dispatcher(*store_, other, clock_, longest_waits_, logger_, Options());
  DispatcherRun run(io, dispatcher);
  io.run_for(500ms);
  EXPECT_TRUE(run.Stop(1s));
  const std::vector<WebhookDelivery> deliveries = DeliveriesOf(endpoint);
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].status, DeliveryStatus::kPending);
  EXPECT_EQ(deliveries[0].attempts, 1);
  EXPECT_NE(deliveries[0].last_error.value_or("").find("cannot be opened"), std::string::npos);
  EXPECT_FALSE(connected) << "nothing was sent";
}

// Another instance took the fan-out lease between this one's read and its write (FanOut answers
// kConflict): the round ends quietly, it is not an error, and a later round makes what it did not.
TEST_F(DispatcherTest, AFanOutThatLostItsLeaseEndsTheRoundQuietlyAndLosesNothing) {
  asio::io_context io;
  tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::string endpoint =
      AddEndpoint("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()), {"*"});
  CreateCompetition(1);
  CreateCompetition(2);
  ::tt::testing::FaultyStore faulty(*store_);
  faulty.Fail("FanOut", Error::Conflict("the fan-out lease or position moved"), 2);

  Dispatcher dispatcher(faulty, *box_, clock_, longest_waits_, logger_, Options());
  DispatcherRun run(io, dispatcher);
  EXPECT_TRUE(RunUntil(io, [&] { return DeliveriesOf(endpoint).size() == 2; }))
      << "a later round fanned both changes out";
  EXPECT_NE(dispatcher.RenderMetrics().find("tt_webhook_dispatch_errors_total 0\n"),
            std::string::npos)
      << dispatcher.RenderMetrics();
  EXPECT_TRUE(run.Stop(2s));
}

// An outcome whose lease was taken again meanwhile (RecordDeliveryAttempt answers kConflict) is
// dropped and counted as superseded: the newer lease's attempt is the one that counts.
TEST_F(DispatcherTest, AnOutcomeUnderALeaseTakenAgainIsDroppedAsSuperseded) {
  asio::io_context io;
  const std::string endpoint = AddEndpoint("http://127.0.0.1:9/", {"*"});
  CreateCompetition();
  SecretBox::Key other_key;
  other_key.fill(7);
  const SecretBox other(other_key);  // the attempt fails at once, sending nothing
  ::tt::testing::FaultyStore faulty(*store_);
  faulty.Fail("RecordDeliveryAttempt",
              Error::Conflict("the delivery's lease passed to another instance"), 1);

  Dispatcher dispatcher(faulty, other, clock_, longest_waits_, logger_, Options());
  DispatcherRun run(io, dispatcher);
  EXPECT_TRUE(RunUntil(io, [&] {
    return Shows(dispatcher, "tt_webhook_attempts_total{outcome=\"superseded\"} 1\n");
  }));
  EXPECT_TRUE(run.Stop(1s));
  const std::string metrics = dispatcher.RenderMetrics();
  EXPECT_NE(metrics.find("tt_webhook_attempts_total{outcome=\"superseded\"} 1\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("tt_webhook_dispatch_errors_total 0\n"), std::string::npos) << metrics;
  const std::vector<WebhookDelivery> deliveries = DeliveriesOf(endpoint);
  ASSERT_EQ(deliveries.size(), 1U);
  EXPECT_EQ(deliveries[0].attempts, 0) << "the dropped outcome was not written";
}

// A failed read of the backlog is a dispatch error; the gauges appear once a read succeeds.
TEST_F(DispatcherTest, AFailedBacklogReadIsCountedAndTheNextOneShowsTheGauges) {
  asio::io_context io;
  tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  AddEndpoint("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()), {"*"});
  CreateCompetition();
  ::tt::testing::FaultyStore faulty(*store_);
  faulty.Fail("GetDeliveryBacklog", Error::Unavailable(), 1);
  DispatcherOptions options = Options();
  options.backlog_interval = 500ms;

  Dispatcher dispatcher(faulty, *box_, clock_, longest_waits_, logger_, options);
  DispatcherRun run(io, dispatcher);
  ASSERT_TRUE(RunUntil(io, [&] {
    return Shows(dispatcher, "tt_webhook_dispatch_errors_total 1\n");
  })) << dispatcher.RenderMetrics();
  EXPECT_FALSE(Shows(dispatcher, "tt_webhook_deliveries_pending")) << "no read has succeeded yet";
  EXPECT_TRUE(RunUntil(io, [&] { return Shows(dispatcher, "tt_webhook_deliveries_pending 1\n"); }))
      << dispatcher.RenderMetrics();
  EXPECT_TRUE(run.Stop(2s));
}

}  // namespace
}  // namespace tt::webhooks
