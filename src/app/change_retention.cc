#include "app/change_retention.h"

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <string>

namespace tt::app {

namespace asio = boost::asio;

asio::awaitable<void> PruneChangesPeriodically(Store& store, const Clock& clock,
                                               std::chrono::hours retention,
                                               std::chrono::milliseconds interval, Logger& logger) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (true) {
    // Store calls answer errors as values; an exception is a bug or bad_alloc below. It must not
    // end retention for the life of the process, unseen: it is logged like a failed pass.
    std::optional<Result<int64_t>> deleted;
    std::string thrown;
    try {
      deleted.emplace(co_await store.DeleteChangesBefore(clock.Now() - retention));
    } catch (const std::exception& e) {
      thrown = e.what();
    }
    // A pass cut short by the server's stop is not a failure to report (a cancelled call may
    // answer an error or throw operation_aborted).
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return;
    if (!deleted.has_value()) {
      logger.Error("change log retention failed: " + thrown + "; trying again later");
    } else if (!deleted->ok()) {
      logger.Warn("change log retention: " + deleted->error().message + "; trying again later");
    } else if (**deleted > 0) {
      logger.Info("change log retention: forgot " + std::to_string(**deleted) +
                  " changes older than " + std::to_string(retention.count() / 24) + " days");
    }
    timer.expires_after(interval);
    boost::system::error_code error;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return;  // cancelled
  }
}

}  // namespace tt::app
