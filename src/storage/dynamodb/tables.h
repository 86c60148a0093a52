// The DynamoDB table DynamoDbStore keeps its items in: its definition (key schema, the two
// global secondary indexes, on-demand billing) and the start-up steps that make sure it exists
// and is ACTIVE. See docs/DYNAMODB.md for what each key and index holds.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <string>

#include "domain/error.h"
#include "log/logger.h"
#include "storage/dynamodb/client.h"

namespace tt::dynamodb {

// The CreateTable request for table `table`: pk/sk (S) as the primary key, indexes gsi1
// (gsi1pk, gsi1sk) and gsi2 (gsi2pk, gsi2sk) projecting all attributes, PAY_PER_REQUEST.
boost::json::object CreateTableRequest(const std::string& table);

// Makes sure `table` exists with the expected key schema and indexes and is ACTIVE. When it is
// missing: with `create`, creates it (tolerating another instance doing the same) and enables
// TTL on `ttl` where the endpoint supports it; without, kUnavailable naming the table. Waits for
// CREATING/UPDATING tables by polling DescribeTable with a timer on the caller's executor, up to
// `timeout`. Errors are kUnavailable (unreachable, missing, still not ACTIVE) or kInternal (a
// table with another schema, an unexpected DynamoDB error), with a one-line message for the
// operator; the details are logged.
boost::asio::awaitable<Status> EnsureTable(Client& client, Logger& logger, const std::string& table,
                                           bool create,
                                           std::chrono::seconds timeout = std::chrono::minutes(5));

}  // namespace tt::dynamodb
