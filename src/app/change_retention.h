// Retention: the server forgets changes older than --change-retention-days, and the webhook
// deliveries that finished (succeeded or failed) longer ago than that.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "domain/clock.h"
#include "log/logger.h"
#include "storage/store.h"

namespace tt::app {

// Deletes the changes older than `retention`, then the deliveries whose last attempt is older and
// which are no longer pending, now and then every `interval`, until cancelled
// (terminal cancellation, which also cuts a pass short: a DynamoDB call in flight is abandoned).
// Ends only when cancelled. A failed pass (an error or an exception) is logged and tried again
// at the next one.
// With several server instances on one DynamoDB table each runs it; the passes are idempotent.
boost::asio::awaitable<void> ApplyRetentionPeriodically(Store& store, const Clock& clock,
                                                        std::chrono::hours retention,
                                                        std::chrono::milliseconds interval,
                                                        Logger& logger);

}  // namespace tt::app
