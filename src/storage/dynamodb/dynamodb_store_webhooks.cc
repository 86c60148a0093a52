// DynamoDbStore: webhook endpoints, one item each (`webhook#<id>`), and a registry item naming
// them all, so that a consistent read lists every endpoint whose creation has answered (the
// fan-out relies on it: a change committed after POST /webhooks answered goes to the new
// endpoint). An id joins the registry before its endpoint is written and leaves it after its
// endpoint is deleted; an id whose endpoint is missing (a creation that failed half way) is
// skipped by readers.
#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include "storage/dynamodb/dynamodb_store.h"
#include "storage/dynamodb/item_codec.h"

namespace tt {

using dynamodb::Expression;
using dynamodb::Reply;
namespace json = boost::json;

namespace {

constexpr char kNoSuchWebhook[] = "no such webhook";

}  // namespace

Async<Status> DynamoDbStore::CreateWebhookEndpoint(const WebhookEndpoint& endpoint,
                                                   const WebhookSecrets& secrets) {
  if (Status registered = co_await ChangeWebhookRegistry("ADD", endpoint.id); !registered.ok()) {
    co_return registered;
  }
  Item put{{"Item", dynamodb::WebhookEndpointItem(endpoint, secrets)},
           {"ConditionExpression", "attribute_not_exists(pk)"}};
  Result<Reply> created = co_await Call("PutItem", std::move(put));
  if (!created.ok()) co_return std::move(created).error();
  if (ConditionFailed(*created)) co_return Error::Conflict("a webhook with this id already exists");
  co_return Status::Ok();
}

Async<Result<std::pair<WebhookEndpoint, WebhookSecrets>>> DynamoDbStore::GetWebhookEndpoint(
    std::string_view id) {
  Result<std::optional<Item>> item = co_await GetItem(dynamodb::WebhookKey(id));
  if (!item.ok()) co_return std::move(item).error();
  if (!item->has_value()) co_return Error::NotFound(kNoSuchWebhook);
  Result<WebhookEndpoint> endpoint = dynamodb::ReadWebhookEndpoint(**item, logger_);
  if (!endpoint.ok()) co_return std::move(endpoint).error();
  Result<WebhookSecrets> secrets = dynamodb::ReadWebhookSecrets(**item, logger_);
  if (!secrets.ok()) co_return std::move(secrets).error();
  co_return std::pair(std::move(*endpoint), std::move(*secrets));
}

Async<Result<std::set<std::string, std::less<>>>> DynamoDbStore::RegisteredWebhookIds() {
  Result<std::optional<Item>> registry = co_await GetItem(dynamodb::WebhookRegistryKey());
  if (!registry.ok()) co_return std::move(registry).error();
  std::set<std::string, std::less<>> ids;
  const json::value* registered =
      registry->has_value() ? dynamodb::TypedValue(**registry, "ids", "SS") : nullptr;
  if (registered != nullptr && registered->is_array()) {
    for (const json::value& id : registered->get_array()) {
      if (id.is_string()) ids.emplace(id.get_string());
    }
  }
  co_return ids;
}

Async<Result<std::vector<WebhookEndpoint>>> DynamoDbStore::AllWebhookEndpoints(bool consistent) {
  Result<std::set<std::string, std::less<>>> registered = co_await RegisteredWebhookIds();
  if (!registered.ok()) co_return std::move(registered).error();
  std::set<std::string, std::less<>> ids = std::move(*registered);
  // And those gsi1's old list holds, which an instance of the earlier version may have made
  // during a rolling upgrade without registering them.
  Expression expression;
  Item query{{"IndexName", dynamodb::kGsi1}};
  query["KeyConditionExpression"] = expression.Name(dynamodb::kGsi1Pk) + " = " +
                                    expression.Value(dynamodb::S(dynamodb::kLegacyWebhookList));
  query["ProjectionExpression"] = expression.Name("id");
  expression.AddTo(query);
  Status listed = co_await QueryWhile(std::move(query), [&](const Item& item) {
    if (const std::string_view id = dynamodb::StringOf(item, "id"); !id.empty()) ids.emplace(id);
    return true;
  });
  if (!listed.ok()) co_return std::move(listed).error();
  std::vector<WebhookEndpoint> endpoints;
  if (ids.empty()) co_return endpoints;
  std::vector<Item> keys;
  for (const std::string& id : ids) keys.push_back(dynamodb::WebhookKey(id));
  Result<std::vector<Item>> items = co_await BatchGet(std::move(keys), consistent);
  if (!items.ok()) co_return std::move(items).error();
  endpoints.reserve(items->size());
  for (const Item& item : *items) {
    Result<WebhookEndpoint> endpoint = dynamodb::ReadWebhookEndpoint(item, logger_);
    if (!endpoint.ok()) co_return std::move(endpoint).error();
    endpoints.push_back(std::move(*endpoint));
  }
  std::sort(endpoints.begin(), endpoints.end(),
            [](const WebhookEndpoint& a, const WebhookEndpoint& b) {
              return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
            });
  co_return endpoints;
}

Async<Result<Page<WebhookEndpoint>>> DynamoDbStore::ListWebhookEndpoints(
    const WebhookEndpointQuery& query) {
  // Endpoints are few (admins make them): a page is cut from the whole list.
  Result<std::vector<WebhookEndpoint>> all = co_await AllWebhookEndpoints(/*consistent=*/true);
  if (!all.ok()) co_return std::move(all).error();
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  auto first = all->begin();
  if (query.after.has_value()) {
    first = std::find_if(all->begin(), all->end(), [&](const WebhookEndpoint& endpoint) {
      return std::tie(endpoint.created_at, endpoint.id) >
             std::tie(query.after->created_at, query.after->id);
    });
  }
  Page<WebhookEndpoint> page;
  const size_t available = static_cast<size_t>(all->end() - first);
  page.has_more = available > limit;
  for (auto it = first; it != all->end() && page.items.size() < limit; ++it) {
    page.items.push_back(std::move(*it));
  }
  co_return page;
}

Async<Status> DynamoDbStore::ChangeWebhookRegistry(std::string_view action, std::string_view id) {
  Expression expression;
  Item request{{"Key", dynamodb::WebhookRegistryKey()}};
  request["UpdateExpression"] =
      std::string(action) + " " + expression.Name("ids") + " " +
      expression.Value(json::object{{"SS", json::array{json::string(id)}}});
  expression.AddTo(request);
  Result<Reply> changed = co_await Call("UpdateItem", std::move(request));
  if (!changed.ok()) co_return std::move(changed).error();
  co_return Status::Ok();
}

Async<Status> DynamoDbStore::UpdateWebhookEndpoint(const WebhookEndpoint& endpoint,
                                                   int64_t expected_version,
                                                   const std::optional<WebhookSecrets>& secrets) {
  const Item fields = dynamodb::WebhookEndpointItem(endpoint, secrets.value_or(WebhookSecrets{}));
  const std::vector<std::string_view> attributes =
      dynamodb::WebhookEndpointUpdatedAttributes(secrets.has_value());
  Expression expression;
  Item request{{"Key", dynamodb::WebhookKey(endpoint.id)}};
  request["UpdateExpression"] = expression.SetFrom(fields, attributes);
  request["ConditionExpression"] =
      expression.Name("version") + " = " + expression.Value(dynamodb::N(expected_version));
  expression.AddTo(request);
  Result<Reply> updated = co_await Call("UpdateItem", std::move(request));
  if (!updated.ok()) co_return std::move(updated).error();
  if (ConditionFailed(*updated)) {
    co_return co_await VersionFailure(dynamodb::WebhookKey(endpoint.id), kNoSuchWebhook);
  }
  co_return Status::Ok();
}

Async<Status> DynamoDbStore::DeleteWebhookEndpoint(std::string_view id,
                                                   std::optional<int64_t> expected_version) {
  const Item key = dynamodb::WebhookKey(id);
  Result<Reply> deleted = co_await DeleteVersioned(key, expected_version, kNoSuchWebhook);
  if (!deleted.ok()) co_return std::move(deleted).error();
  co_return co_await RemoveEndpointLeftovers(id);
}

Async<Status> DynamoDbStore::RemoveEndpointLeftovers(std::string_view id) {
  // Its deliveries share its partition. One created after this read (a fan-out racing the
  // delete) is removed by that fan-out, which reads the endpoint again after writing.
  Expression expression;
  Item query;
  query["KeyConditionExpression"] =
      expression.Name(dynamodb::kPk) + " = " +
      expression.Value(dynamodb::S(dynamodb::StringOf(dynamodb::WebhookKey(id), dynamodb::kPk)));
  query["ProjectionExpression"] =
      expression.Name(dynamodb::kPk) + ", " + expression.Name(dynamodb::kSk);
  // Consistent: FanOut relies on this read seeing every delivery written before it.
  query["ConsistentRead"] = true;
  expression.AddTo(query);
  Result<std::vector<Item>> deliveries = co_await QueryAll(std::move(query));
  if (!deliveries.ok()) co_return std::move(deliveries).error();
  std::vector<Item> keys;
  for (const Item& delivery : *deliveries) {
    keys.push_back(dynamodb::Key(dynamodb::StringOf(delivery, dynamodb::kPk),
                                 dynamodb::StringOf(delivery, dynamodb::kSk)));
  }
  if (Status removed = co_await BatchDelete(std::move(keys)); !removed.ok()) co_return removed;
  co_return co_await ChangeWebhookRegistry("DELETE", id);
}

Async<Status> DynamoDbStore::SweepDeletedWebhookEndpoints() {
  Result<std::set<std::string, std::less<>>> ids = co_await RegisteredWebhookIds();
  if (!ids.ok()) co_return std::move(ids).error();
  std::vector<Item> keys;
  for (const std::string& id : *ids) keys.push_back(dynamodb::WebhookKey(id));
  Result<std::vector<Item>> found = co_await BatchGet(std::move(keys), /*consistent=*/true);
  if (!found.ok()) co_return std::move(found).error();
  for (const Item& item : *found) ids->erase(std::string(dynamodb::StringOf(item, "id")));
  // What is left has no endpoint: a delete that failed after removing the endpoint, or a
  // creation between its two writes. Only ids missing at the previous sweep too are removed.
  std::vector<std::string> leftovers;
  {
    std::lock_guard lock(sweep_mutex_);
    for (const std::string& id : *ids) {
      if (webhooks_missing_at_last_sweep_.contains(id)) leftovers.push_back(id);
    }
    webhooks_missing_at_last_sweep_ = std::move(*ids);
  }
  for (const std::string& id : leftovers) {
    if (Status removed = co_await RemoveEndpointLeftovers(id); !removed.ok()) co_return removed;
    logger_.Info("dynamodb: removed the deliveries left by deleted webhook endpoint " + id);
  }
  co_return Status::Ok();
}

}  // namespace tt
