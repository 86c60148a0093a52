// Opening the Store that `--db` names: an SQLite file, or DynamoDB configured as the AWS SDKs
// configure it (AWS_* variables, ~/.aws/credentials and ~/.aws/config).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "app/config.h"
#include "domain/error.h"
#include "log/logger.h"
#include "storage/store.h"

namespace tt::app {

// Opens the store, creating the SQLite file (and its directory) or the DynamoDB table when
// missing and migrating it. Errors carry one line for the operator: which store and why.
boost::asio::awaitable<Result<std::unique_ptr<Store>>> OpenStore(const StoreSettings& settings,
                                                                 Logger& logger);

}  // namespace tt::app
