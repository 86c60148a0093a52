#include "app/change_retention.h"

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace tt::app {

namespace asio = boost::asio;

namespace {

// Runs one deletion of a pass and logs how it went; false when the pass was cancelled (the
// server stops), when nothing is logged.
asio::awaitable<bool> RunDeletion(Async<Result<int64_t>> deletion, std::string_view what,
                                  std::chrono::hours retention, Logger& logger) {
  // Store calls answer errors as values; an exception is a bug or bad_alloc below. It must not
  // end retention for the life of the process, unseen: it is logged like a failed pass.
  std::optional<Result<int64_t>> deleted;
  std::string thrown;
  try {
    deleted.emplace(co_await std::move(deletion));
  } catch (const std::exception& e) {
    thrown = e.what();
  }
  // A pass cut short by the server's stop is not a failure to report (a cancelled call may
  // answer an error or throw operation_aborted).
  asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none) co_return false;
  const std::string subject = "retention of " + std::string(what);
  if (!deleted.has_value()) {
    logger.Error(subject + " failed: " + thrown + "; trying again later");
  } else if (!deleted->ok()) {
    logger.Warn(subject + ": " + deleted->error().message + "; trying again later");
  } else if (**deleted > 0) {
    logger.Info(subject + ": forgot " + std::to_string(**deleted) + " older than " +
                std::to_string(retention.count() / 24) + " days");
  }
  co_return true;
}

}  // namespace

asio::awaitable<void> ApplyRetentionPeriodically(Store& store, const Clock& clock,
                                                 std::chrono::hours retention,
                                                 std::chrono::milliseconds interval,
                                                 Logger& logger) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    const Timestamp before = clock.Now() - retention;
    if (!co_await RunDeletion(store.DeleteChangesBefore(before), "the change log", retention,
                              logger)) {
      co_return;
    }
    if (!co_await RunDeletion(store.DeleteFinishedDeliveriesBefore(before),
                              "finished webhook deliveries", retention, logger)) {
      co_return;
    }
    timer.expires_after(interval);
    boost::system::error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;  // cancelled
  }
}

}  // namespace tt::app
