#include "webhooks/dispatcher.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstring>
#include <list>
#include <optional>
#include <utility>
#include <vector>

#include "domain/time.h"
#include "domain/webhook_delivery.h"
#include "log/metrics_text.h"
#include "security/webhook_signature.h"

namespace tt::webhooks {

namespace asio = boost::asio;

// The attempts under way, each with the signal that cancels it, and the timer Run sleeps on,
// which an ending attempt cuts short (a slot is free again, or Run waits for the last one).
struct Dispatcher::InFlight {
  std::list<asio::cancellation_signal> attempts;
  asio::steady_timer* wake = nullptr;
};

namespace {

// Deliveries created by one FanOut call (more when one change alone has more endpoints).
constexpr int kMaxDeliveriesPerFanOut = 100;

asio::awaitable<bool> Cancelled() {
  asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

// Waits on `timer` for `duration` or until it is cancelled, whichever comes first.
asio::awaitable<void> Sleep(asio::steady_timer& timer, std::chrono::milliseconds duration) {
  timer.expires_after(duration);
  boost::system::error_code ignored;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// What an answer or its absence says, for the delivery's last_error.
std::string DescribeOutcome(const SendOutcome& outcome) {
  if (!outcome.status.has_value()) return outcome.error;
  if (outcome.Succeeded()) return "";
  return "answered " + std::to_string(*outcome.status);
}

}  // namespace

std::chrono::milliseconds DeliveryLease(const SenderOptions& sender) {
  return 2 * sender.timeout + std::chrono::seconds(15);
}

std::string DeliveryBody(const Change& change) {
  std::string body;
  body.reserve(64 + change.data.size());
  body += R"({"type":")";
  body += ChangeTypeName(change.type);  // names need no escaping
  body += R"(","timestamp":")";
  body += FormatUtc(change.occurred_at);
  body += R"(","data":)";
  body += change.data;  // JSON text already
  body += "}";
  return body;
}

Dispatcher::Dispatcher(Store& store, const SecretBox& secret_box, const Clock& clock,
                       RandomSource& random, Logger& logger, DispatcherOptions options)
    : store_(store),
      secret_box_(secret_box),
      clock_(clock),
      random_(random),
      logger_(logger),
      options_(std::move(options)) {}

asio::awaitable<void> Dispatcher::Run() {
  // Cancellation is checked between steps rather than thrown by the next wait, so that the
  // attempts under way can be cancelled and waited for once Run itself is cancelled.
  co_await asio::this_coro::throw_if_cancelled(false);
  asio::steady_timer wake(co_await asio::this_coro::executor);
  InFlight in_flight;
  in_flight.wake = &wake;
  in_flight_ = &in_flight;
  logger_.Info("webhooks: dispatcher started (instance " + options_.instance_id + ")");
  std::optional<std::chrono::steady_clock::time_point> backlog_read_at;
  while (!co_await Cancelled()) {
    // Store calls answer errors as values; an exception is a bug or bad_alloc below. It must not
    // end deliveries for the life of the process, unseen: it is logged and the next round runs.
    std::optional<std::string> thrown;
    try {
      co_await FanOutRound();
      if (!co_await Cancelled()) co_await ClaimRound();
      const auto now = std::chrono::steady_clock::now();
      if (!co_await Cancelled() &&
          (!backlog_read_at || now - *backlog_read_at >= options_.backlog_interval)) {
        backlog_read_at = now;
        co_await BacklogRound();
      }
    } catch (const std::exception& e) {
      thrown = e.what();
    }
    if (co_await Cancelled()) break;
    if (thrown.has_value()) {
      counters_.round_errors.fetch_add(1, std::memory_order_relaxed);
      logger_.Error("webhooks: a dispatch round failed: " + *thrown + "; trying again later");
    }
    co_await Sleep(wake, options_.poll_interval);
  }
  // Stop the attempts under way (their leases run out, and another instance or the next start
  // makes them again) and wait until each has ended.
  for (asio::cancellation_signal& attempt : in_flight.attempts) {
    attempt.emit(asio::cancellation_type::terminal);
  }
  while (!in_flight.attempts.empty()) co_await Sleep(wake, std::chrono::hours(1));
  in_flight_ = nullptr;
}

asio::awaitable<void> Dispatcher::FanOutRound() {
  const Timestamp now = clock_.Now();
  const Lease lease{
      options_.instance_id,
      now + std::chrono::duration_cast<std::chrono::microseconds>(options_.fan_out_lease)};
  Result<int64_t> position = co_await store_.LeaseFanOut(lease, now);
  if (!position.ok()) {
    // kConflict: another instance fans out now.
    if (position.error().code != ErrorCode::kConflict && !co_await Cancelled()) {
      counters_.round_errors.fetch_add(1, std::memory_order_relaxed);
      logger_.Warn("webhooks: fan-out: " + position.error().message);
    }
    co_return;
  }
  while (!co_await Cancelled()) {
    Result<Page<Change>> changes =
        co_await store_.ListChanges(ChangeQuery{*position, options_.fan_out_batch});
    if (!changes.ok()) {
      if (co_await Cancelled()) co_return;
      counters_.round_errors.fetch_add(1, std::memory_order_relaxed);
      logger_.Warn("webhooks: fan-out: reading changes: " + changes.error().message);
      co_return;
    }
    if (changes->items.empty()) co_return;
    // Read after the changes, for each batch: an endpoint created before a change was committed
    // is then seen with it (the store lists endpoints consistently).
    std::vector<WebhookEndpoint> endpoints;
    WebhookEndpointQuery query;
    query.limit = 1000;  // a page reads every endpoint on DynamoDB: take them in one
    while (true) {
      Result<Page<WebhookEndpoint>> page = co_await store_.ListWebhookEndpoints(query);
      if (!page.ok()) {
        if (co_await Cancelled()) co_return;
        counters_.round_errors.fetch_add(1, std::memory_order_relaxed);
        logger_.Warn("webhooks: fan-out: reading endpoints: " + page.error().message);
        co_return;
      }
      for (WebhookEndpoint& endpoint : page->items) endpoints.push_back(std::move(endpoint));
      if (!page->has_more || endpoints.empty()) break;
      query.after = WebhookEndpointCursor{endpoints.back().created_at, endpoints.back().id};
    }
    const Timestamp created = clock_.Now();
    std::vector<WebhookDelivery> deliveries;
    int64_t to = *position;
    bool more = changes->has_more;
    for (const Change& change : changes->items) {
      // A bounded write per step (on DynamoDB a PutItem per delivery), well within the lease:
      // the rest of the batch is the next step's.
      if (deliveries.size() >= static_cast<size_t>(kMaxDeliveriesPerFanOut)) {
        more = true;
        break;
      }
      std::optional<std::string> body;  // made once a change, if anyone wants it
      for (const WebhookEndpoint& endpoint : endpoints) {
        // A disabled endpoint is not sent what happens while it is disabled.
        if (endpoint.disabled || !WantsChange(endpoint, change.type)) continue;
        if (!body.has_value()) body = DeliveryBody(change);
        WebhookDelivery delivery;
        delivery.endpoint_id = endpoint.id;
        delivery.change_id = change.id;
        delivery.type = change.type;
        delivery.body = *body;
        delivery.next_attempt_at = delivery.pending_since = delivery.created_at = created;
        deliveries.push_back(std::move(delivery));
      }
      to = change.id;
    }
    Status moved = co_await store_.FanOut(lease, *position, to, deliveries);
    if (!moved.ok()) {
      if (co_await Cancelled()) co_return;
      // kConflict: the lease ran out and another instance took over (it repeats this batch).
      if (moved.error().code != ErrorCode::kConflict) {
        counters_.round_errors.fetch_add(1, std::memory_order_relaxed);
        logger_.Warn("webhooks: fan-out: " + moved.error().message);
      }
      co_return;
    }
    counters_.fanned_out.fetch_add(deliveries.size(), std::memory_order_relaxed);
    *position = to;
    if (!more) co_return;
    // The lease covers a round of a few batches; a long backlog renews it as it goes.
    if (clock_.Now() +
            std::chrono::duration_cast<std::chrono::microseconds>(options_.fan_out_lease / 2) >
        lease.until) {
      co_return;  // the next round renews it
    }
  }
}

asio::awaitable<void> Dispatcher::ClaimRound() {
  const int free = options_.max_in_flight - static_cast<int>(in_flight_->attempts.size());
  if (free <= 0) co_return;
  const Timestamp now = clock_.Now();
  DeliveryClaim claim;
  claim.lease = Lease{
      options_.instance_id,
      now + std::chrono::duration_cast<std::chrono::microseconds>(DeliveryLease(options_.sender))};
  claim.now = now;
  claim.limit = free;
  claim.per_endpoint = options_.per_endpoint;
  Result<std::vector<WebhookDelivery>> claimed = co_await store_.ClaimDueDeliveries(claim);
  if (!claimed.ok()) {
    if (co_await Cancelled()) co_return;
    counters_.round_errors.fetch_add(1, std::memory_order_relaxed);
    logger_.Warn("webhooks: claiming deliveries: " + claimed.error().message);
    co_return;
  }
  auto executor = co_await asio::this_coro::executor;
  for (WebhookDelivery& delivery : *claimed) {
    in_flight_->attempts.emplace_back();
    auto signal = std::prev(in_flight_->attempts.end());
    asio::co_spawn(executor, Attempt(std::move(delivery), claim.lease),
                   asio::bind_cancellation_slot(
                       signal->slot(), [this, signal, in_flight = in_flight_](std::exception_ptr) {
                         // Attempt catches what it can; anything else was logged there.
                         in_flight->attempts.erase(signal);
                         in_flight->wake->cancel();  // a slot is free
                       }));
  }
}

asio::awaitable<void> Dispatcher::BacklogRound() {
  Result<DeliveryBacklog> backlog = co_await store_.GetDeliveryBacklog();
  if (!backlog.ok()) {
    if (co_await Cancelled()) co_return;
    counters_.round_errors.fetch_add(1, std::memory_order_relaxed);
    logger_.Warn("webhooks: reading the backlog: " + backlog.error().message);
    co_return;
  }
  counters_.pending.store(backlog->pending, std::memory_order_relaxed);
  counters_.oldest_pending_since_us.store(
      backlog->oldest_pending_since.has_value()
          ? backlog->oldest_pending_since->time_since_epoch().count()
          : 0,
      std::memory_order_relaxed);
  counters_.backlog_read.store(true, std::memory_order_release);
}

asio::awaitable<void> Dispatcher::Attempt(WebhookDelivery delivery, Lease lease) {
  // Cancellation (the server's stop) is checked after each step rather than thrown.
  co_await asio::this_coro::throw_if_cancelled(false);
  const std::string delivery_name =
      "delivery " + FormatChangeId(delivery.change_id) + " to endpoint " + delivery.endpoint_id;
  try {
    Result<std::pair<WebhookEndpoint, WebhookSecrets>> endpoint =
        co_await store_.GetWebhookEndpoint(delivery.endpoint_id);
    if (!endpoint.ok()) {
      // A deleted endpoint's deliveries go with it; anything else, the lease runs out and the
      // delivery is claimed again.
      if (endpoint.error().code != ErrorCode::kNotFound && !co_await Cancelled()) {
        logger_.Warn("webhooks: " + delivery_name + ": " + endpoint.error().message);
      }
      co_return;
    }
    const Timestamp now = clock_.Now();
    // Each secret that signs now: the current one, and the previous one during a rotation.
    std::vector<std::string> sealed = {endpoint->second.current};
    if (endpoint->second.previous.has_value() && endpoint->second.previous_until.has_value() &&
        now < *endpoint->second.previous_until) {
      sealed.push_back(*endpoint->second.previous);
    }
    const int64_t timestamp =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::string message_id = WebhookMessageId(delivery.change_id);
    std::string signatures;
    for (const std::string& box : sealed) {
      std::optional<std::string> secret = secret_box_.Open(box);
      std::optional<std::string> key =
          secret.has_value() ? WebhookSecretKey(*secret) : std::nullopt;
      if (!key.has_value()) continue;
      if (!signatures.empty()) signatures += " ";
      signatures += SignWebhook(*key, message_id, timestamp, delivery.body);
    }

    AttemptOutcome outcome;
    if (signatures.empty()) {
      // Not sent: the key file is not the one the secret was sealed under. Retried like a
      // failure, so that the right key file brings it back.
      outcome.error = "the endpoint's secret cannot be opened with this server's webhook key";
      logger_.Error("webhooks: " + delivery_name + ": " + outcome.error +
                    " (is --webhook-key-file the file it was created with?)");
    } else {
      OutgoingWebhook webhook;
      webhook.url = endpoint->first.url;
      webhook.body = delivery.body;
      webhook.headers = {{"content-type", "application/json"},
                         {"user-agent", "track-tracker-webhooks/1"},
                         {"webhook-id", message_id},
                         {"webhook-timestamp", std::to_string(timestamp)},
                         {"webhook-signature", signatures}};
      SendOutcome sent = co_await SendWebhook(webhook, options_.sender);
      // Cut short by the server's stop: not an outcome. The lease runs out and it is made again.
      if (co_await Cancelled()) co_return;
      outcome.response_code = sent.status;
      outcome.error = DescribeOutcome(sent);
    }

    const bool disable_endpoint = ApplyAttempt(delivery, clock_.Now(), outcome, JitterFraction());
    Status recorded = co_await store_.RecordDeliveryAttempt(delivery, lease, disable_endpoint);
    if (!recorded.ok()) {
      if (recorded.error().code == ErrorCode::kConflict) {
        counters_.superseded.fetch_add(1, std::memory_order_relaxed);
      } else if (recorded.error().code != ErrorCode::kNotFound && !co_await Cancelled()) {
        logger_.Warn("webhooks: recording " + delivery_name + ": " + recorded.error().message);
      }
      co_return;
    }
    if (disable_endpoint) {
      counters_.gone.fetch_add(1, std::memory_order_relaxed);
      logger_.Warn("webhooks: endpoint " + delivery.endpoint_id +
                   " answered 410 Gone and is disabled");
    } else if (delivery.status == DeliveryStatus::kSucceeded) {
      counters_.succeeded.fetch_add(1, std::memory_order_relaxed);
    } else if (delivery.status == DeliveryStatus::kFailed) {
      counters_.failed.fetch_add(1, std::memory_order_relaxed);
      logger_.Warn("webhooks: " + delivery_name + " failed after " +
                   std::to_string(delivery.attempts) + " attempts: " + outcome.error);
    } else {
      counters_.retrying.fetch_add(1, std::memory_order_relaxed);
    }
  } catch (const std::exception& e) {
    // Store calls and the sender answer failures as values; this is a bug or bad_alloc. The
    // lease runs out and the delivery is claimed again.
    logger_.Error("webhooks: " + delivery_name + ": " + e.what());
  }
}

double Dispatcher::JitterFraction() {
  uint64_t bits = 0;
  random_.Fill(std::as_writable_bytes(std::span(&bits, 1)));
  return static_cast<double>(bits >> 11) * 0x1.0p-53;  // uniform in [0, 1)
}

std::string Dispatcher::RenderMetrics() const {
  std::string out;
  AppendMetricHeader(out, "tt_webhook_attempts_total", "counter",
                     "Webhook delivery attempts recorded, by what they came to.");
  const std::pair<const char*, const std::atomic<uint64_t>*> outcomes[] = {
      {"succeeded", &counters_.succeeded},
      {"retrying", &counters_.retrying},
      {"failed", &counters_.failed},
      {"gone", &counters_.gone},
      {"superseded", &counters_.superseded}};
  for (const auto& [outcome, counter] : outcomes) {
    out += "tt_webhook_attempts_total{outcome=\"";
    out += outcome;
    out += "\"} " + std::to_string(counter->load(std::memory_order_relaxed)) + "\n";
  }
  AppendMetricHeader(out, "tt_webhook_deliveries_created_total", "counter",
                     "Webhook deliveries created from change records by this instance.");
  out += "tt_webhook_deliveries_created_total " +
         std::to_string(counters_.fanned_out.load(std::memory_order_relaxed)) + "\n";
  AppendMetricHeader(out, "tt_webhook_dispatch_errors_total", "counter",
                     "Store errors that cut a fan-out or claim round short.");
  out += "tt_webhook_dispatch_errors_total " +
         std::to_string(counters_.round_errors.load(std::memory_order_relaxed)) + "\n";
  if (!counters_.backlog_read.load(std::memory_order_acquire)) return out;
  AppendMetricHeader(
      out, "tt_webhook_deliveries_pending", "gauge",
      "Webhook deliveries pending in the store, of every endpoint (read every 10 s).");
  out += "tt_webhook_deliveries_pending " +
         std::to_string(counters_.pending.load(std::memory_order_relaxed)) + "\n";
  AppendMetricHeader(
      out, "tt_webhook_oldest_pending_age_seconds", "gauge",
      "Age of the webhook delivery pending longest, 0 when none is (read every 10 s).");
  const int64_t since_us = counters_.oldest_pending_since_us.load(std::memory_order_relaxed);
  const double age =
      since_us == 0
          ? 0.0
          : std::max(0.0, std::chrono::duration<double>(
                              clock_.Now() - Timestamp(std::chrono::microseconds(since_us)))
                              .count());
  out += "tt_webhook_oldest_pending_age_seconds " + std::to_string(age) + "\n";
  return out;
}

}  // namespace tt::webhooks
