// DynamoDbStore: the request patterns its methods share — one call with its errors translated,
// point reads, paged queries, batches with their unprocessed items retried, and running requests
// concurrently.
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <set>
#include <utility>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

namespace asio = boost::asio;
namespace json = boost::json;
using dynamodb::Reply;

namespace {

// BatchGetItem and BatchWriteItem take at most this many keys or requests.
constexpr size_t kBatchGetLimit = 100;
constexpr size_t kBatchWriteLimit = 25;
// Rounds of unprocessed batch items retried before giving up with kUnavailable: DynamoDB leaves
// items unprocessed when the table is throttled, so a persistent remainder means overload.
constexpr int kMaxBatchAttempts = 8;
constexpr auto kBaseBackoff = std::chrono::milliseconds(25);
constexpr auto kMaxBackoff = std::chrono::milliseconds(1'000);

std::string MessageOf(const Reply& reply) {
  const json::value* message = reply.body.if_contains("message");
  if (message == nullptr) message = reply.body.if_contains("Message");
  return message != nullptr && message->is_string() ? std::string(message->get_string())
                                                    : std::string();
}

// The array at body[first][second]...[last], or nullptr.
const json::array* ArrayAt(const json::object& body, std::initializer_list<std::string_view> path) {
  const json::value* value = nullptr;
  const json::object* object = &body;
  for (const std::string_view step : path) {
    if (object == nullptr) return nullptr;
    value = object->if_contains(step);
    if (value == nullptr) return nullptr;
    object = value->is_object() ? &value->get_object() : nullptr;
  }
  return value != nullptr && value->is_array() ? &value->get_array() : nullptr;
}

// One worker of ForEachConcurrently: takes the next index until none is left or a task failed.
// The pointers are into the frame of ForEachConcurrently, which outlives every worker.
Async<Status> Worker(std::atomic<size_t>* next, size_t count, std::atomic<bool>* failed,
                     const std::function<Async<Status>(size_t)>* task) {
  while (!failed->load()) {
    const size_t index = next->fetch_add(1);
    if (index >= count) break;
    Status status = co_await (*task)(index);
    if (!status.ok()) {
      failed->store(true);
      co_return status;
    }
  }
  co_return Status::Ok();
}

// ForEachConcurrently's body, on a strand: `parallel` workers at most.
Async<Status> RunWorkers(size_t count, size_t parallel,
                         const std::function<Async<Status>(size_t)>* task) {
  auto executor = co_await asio::this_coro::executor;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  using Operation =
      decltype(asio::co_spawn(executor, std::declval<Async<Status>>(), asio::deferred));
  std::vector<Operation> workers;
  const size_t worker_count = std::min(count, parallel);
  workers.reserve(worker_count);
  for (size_t i = 0; i < worker_count; ++i) {
    workers.push_back(
        asio::co_spawn(executor, Worker(&next, count, &failed, task), asio::deferred));
  }
  auto [order, exceptions, statuses] =
      co_await asio::experimental::make_parallel_group(std::move(workers))
          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (const std::exception_ptr& exception : exceptions) {
    if (exception) std::rethrow_exception(exception);
  }
  for (Status& status : statuses) {
    if (!status.ok()) co_return std::move(status);
  }
  co_return Status::Ok();
}

}  // namespace

Async<Result<Reply>> DynamoDbStore::Call(std::string_view operation, Item request) {
  if (!operation.starts_with("Batch")) request["TableName"] = table_;
  Result<Reply> reply = co_await client_->Call(operation, request);
  // The client has logged why (and says nothing of a call cancelled because nobody waits).
  if (!reply.ok()) co_return reply;
  if (reply->error_type.empty() || ConditionFailed(*reply)) co_return reply;
  if (reply->error_type == "ResourceNotFoundException") {
    logger_.Error("dynamodb: " + std::string(operation) + ": table " + table_ +
                  " not found: " + MessageOf(*reply));
    // The operator reads the table's name in the log; clients get no internals.
    co_return Error::Unavailable();
  }
  logger_.Error("dynamodb: " + std::string(operation) + " failed: " + reply->error_type + ": " +
                MessageOf(*reply));
  co_return Error::Internal();
}

bool DynamoDbStore::ConditionFailed(const Reply& reply) {
  return reply.error_type == "ConditionalCheckFailedException";
}

Async<Result<std::optional<DynamoDbStore::Item>>> DynamoDbStore::GetItem(Item key) {
  Item request{{"Key", std::move(key)}, {"ConsistentRead", true}};
  Result<Reply> reply = co_await Call("GetItem", std::move(request));
  if (!reply.ok()) co_return std::move(reply).error();
  const json::value* item = reply->body.if_contains("Item");
  if (item == nullptr || !item->is_object()) co_return std::optional<Item>();
  co_return std::optional<Item>(item->get_object());
}

Async<Result<std::vector<DynamoDbStore::Item>>> DynamoDbStore::QueryAll(Item request) {
  co_return co_await QueryUpTo(std::move(request), std::numeric_limits<size_t>::max());
}

Async<Result<std::vector<DynamoDbStore::Item>>> DynamoDbStore::QueryUpTo(
    Item request, size_t wanted, const std::function<bool(const Item&)>& keep) {
  std::vector<Item> items;
  if (wanted == 0) co_return items;
  Status status = co_await QueryWhile(std::move(request), [&](const Item& item) {
    if (!keep || keep(item)) items.push_back(item);
    return items.size() < wanted;
  });
  if (!status.ok()) co_return std::move(status).error();
  co_return items;
}

Async<Status> DynamoDbStore::QueryWhile(Item request,
                                        const std::function<bool(const Item&)>& visit) {
  while (true) {
    Result<Reply> reply = co_await Call("Query", request);
    if (!reply.ok()) co_return std::move(reply).error();
    if (const json::array* page = ArrayAt(reply->body, {"Items"}); page != nullptr) {
      for (const json::value& item : *page) {
        if (item.is_object() && !visit(item.get_object())) co_return Status::Ok();
      }
    }
    const json::value* last = reply->body.if_contains("LastEvaluatedKey");
    if (last == nullptr || !last->is_object()) co_return Status::Ok();
    request["ExclusiveStartKey"] = *last;
  }
}

Async<Result<std::vector<DynamoDbStore::Item>>> DynamoDbStore::QueryIndexPartition(
    std::string_view index, std::string_view partition) {
  dynamodb::Expression expression;
  Item request{{"IndexName", index}};
  request["KeyConditionExpression"] = expression.Name(dynamodb::PartitionKeyOf(index)) + " = " +
                                      expression.Value(dynamodb::S(partition));
  expression.AddTo(request);
  co_return co_await QueryAll(std::move(request));
}

Async<Status> DynamoDbStore::DeleteIndexPartition(std::string_view index,
                                                  std::string_view partition,
                                                  const std::function<bool(const Item&)>& keep) {
  Result<std::vector<Item>> found = co_await QueryIndexPartition(index, partition);
  if (!found.ok()) co_return std::move(found).error();
  // An index item carries its table item's key.
  std::vector<Item> keys;
  keys.reserve(found->size());
  for (const Item& item : *found) {
    if (keep && keep(item)) continue;
    keys.push_back(dynamodb::Key(dynamodb::StringOf(item, dynamodb::kPk),
                                 dynamodb::StringOf(item, dynamodb::kSk)));
  }
  co_return co_await BatchDelete(std::move(keys));
}

Async<Result<std::vector<DynamoDbStore::Item>>> DynamoDbStore::BatchGet(std::vector<Item> keys,
                                                                        bool consistent) {
  // BatchGetItem rejects a request that names one key twice.
  std::set<std::string> seen;
  std::vector<Item> unique;
  for (Item& key : keys) {
    if (seen.insert(json::serialize(key)).second) unique.push_back(std::move(key));
  }
  const size_t chunks = (unique.size() + kBatchGetLimit - 1) / kBatchGetLimit;
  std::vector<std::vector<Item>> found(chunks);
  const std::function<Async<Status>(size_t)> read_chunk = [&](size_t chunk) -> Async<Status> {
    const size_t begin = chunk * kBatchGetLimit;
    const size_t end = std::min(unique.size(), begin + kBatchGetLimit);
    json::array pending(unique.begin() + static_cast<std::ptrdiff_t>(begin),
                        unique.begin() + static_cast<std::ptrdiff_t>(end));
    for (int attempt = 1;; ++attempt) {
      Item request{{"RequestItems",
                    Item{{table_, Item{{"Keys", pending}, {"ConsistentRead", consistent}}}}}};
      Result<Reply> reply = co_await Call("BatchGetItem", std::move(request));
      if (!reply.ok()) co_return std::move(reply).error();
      if (const json::array* items = ArrayAt(reply->body, {"Responses", table_}); items) {
        for (const json::value& item : *items) {
          if (item.is_object()) found[chunk].push_back(item.get_object());
        }
      }
      const json::array* unprocessed = ArrayAt(reply->body, {"UnprocessedKeys", table_, "Keys"});
      if (unprocessed == nullptr || unprocessed->empty()) co_return Status::Ok();
      pending = *unprocessed;
      if (Status status = co_await BackOff(attempt); !status.ok()) co_return status;
    }
  };
  if (Status status = co_await ForEachConcurrently(chunks, read_chunk); !status.ok()) {
    co_return std::move(status).error();
  }
  std::vector<Item> items;
  for (std::vector<Item>& chunk : found) {
    for (Item& item : chunk) items.push_back(std::move(item));
  }
  co_return items;
}

Async<Status> DynamoDbStore::BatchDelete(std::vector<Item> keys) {
  std::set<std::string> seen;
  std::vector<Item> unique;
  for (Item& key : keys) {
    if (seen.insert(json::serialize(key)).second) unique.push_back(std::move(key));
  }
  const size_t chunks = (unique.size() + kBatchWriteLimit - 1) / kBatchWriteLimit;
  const std::function<Async<Status>(size_t)> delete_chunk = [&](size_t chunk) -> Async<Status> {
    json::array pending;
    const size_t end = std::min(unique.size(), (chunk + 1) * kBatchWriteLimit);
    for (size_t i = chunk * kBatchWriteLimit; i < end; ++i) {
      pending.emplace_back(Item{{"DeleteRequest", Item{{"Key", unique[i]}}}});
    }
    for (int attempt = 1;; ++attempt) {
      Item request{{"RequestItems", Item{{table_, pending}}}};
      Result<Reply> reply = co_await Call("BatchWriteItem", std::move(request));
      if (!reply.ok()) co_return std::move(reply).error();
      const json::array* unprocessed = ArrayAt(reply->body, {"UnprocessedItems", table_});
      if (unprocessed == nullptr || unprocessed->empty()) co_return Status::Ok();
      pending = *unprocessed;
      if (Status status = co_await BackOff(attempt); !status.ok()) co_return status;
    }
  };
  co_return co_await ForEachConcurrently(chunks, delete_chunk);
}

Async<Status> DynamoDbStore::ForEachConcurrently(size_t count,
                                                 const std::function<Async<Status>(size_t)>& task) {
  if (count == 0) co_return Status::Ok();
  if (count == 1) co_return co_await task(0);
  // Asio 1.81's ranged parallel_group reads its range once more after starting the last worker.
  // On a multi-threaded executor that worker could finish, and end this frame, first (ASan saw
  // it); on a strand the workers' completions wait until the group's initiation has returned.
  asio::any_io_executor strand = asio::make_strand(co_await asio::this_coro::executor);
  co_return co_await asio::co_spawn(strand, RunWorkers(count, kMaxParallel, &task),
                                    asio::use_awaitable);
}

Async<Status> DynamoDbStore::VersionFailure(Item key, std::string_view not_found_message) {
  Result<std::optional<Item>> item = co_await GetItem(std::move(key));
  if (!item.ok()) co_return std::move(item).error();
  if (!item->has_value()) co_return Error::NotFound(std::string(not_found_message));
  co_return Error::PreconditionFailed();
}

Async<Result<Reply>> DynamoDbStore::DeleteVersioned(Item key,
                                                    std::optional<int64_t> expected_version,
                                                    std::string_view not_found_message,
                                                    bool return_old) {
  dynamodb::Expression expression;
  Item request{{"Key", key}};
  if (return_old) request["ReturnValues"] = "ALL_OLD";
  request["ConditionExpression"] =
      expected_version.has_value()
          ? expression.Name("version") + " = " + expression.Value(dynamodb::N(*expected_version))
          : "attribute_exists(" + expression.Name(dynamodb::kPk) + ")";
  expression.AddTo(request);
  Result<Reply> deleted = co_await Call("DeleteItem", std::move(request));
  if (!deleted.ok()) co_return std::move(deleted).error();
  if (ConditionFailed(*deleted)) {
    if (!expected_version.has_value()) co_return Error::NotFound(std::string(not_found_message));
    Status failure = co_await VersionFailure(std::move(key), not_found_message);
    co_return std::move(failure).error();
  }
  co_return deleted;
}

Async<Status> DynamoDbStore::BackOff(int attempt) {
  if (attempt >= kMaxBatchAttempts) {
    logger_.Warn("dynamodb: batch items still unprocessed after " + std::to_string(attempt) +
                 " attempts");
    co_return Error::Unavailable();
  }
  // Full jitter, as the client does for throttled calls, so that instances retrying the same
  // overload do not retry in step.
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(client_->JitteredBackoff(attempt, kBaseBackoff, kMaxBackoff));
  co_await timer.async_wait(asio::use_awaitable);
  co_return Status::Ok();
}

}  // namespace tt
