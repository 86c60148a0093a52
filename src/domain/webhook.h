// Webhook endpoints: where an integrator (an admin) asks for change records (domain/change.h) to
// be delivered, signed as Standard Webhooks specifies (docs/WEBHOOKS.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/change.h"
#include "domain/time.h"
#include "domain/validation.h"

namespace tt {

// The type list entry that subscribes to every change type, present and future.
inline constexpr std::string_view kAllChangeTypesWildcard = "*";

struct WebhookEndpoint {
  std::string id;
  std::string url;
  std::vector<std::string> types;  // change type names, or "*"
  std::optional<std::string> description;
  bool disabled = false;
  Timestamp created_at;
  Timestamp updated_at;
  int64_t version = 1;
};

// An endpoint's signing secrets as stored: sealed (security/secret_box.h), never in clear. During
// a rotation the previous secret keeps signing beside the current one until `previous_until`.
struct WebhookSecrets {
  std::string current;
  std::optional<std::string> previous;
  std::optional<Timestamp> previous_until;
};

// Endpoints are listed by (created_at, id), oldest first.
struct WebhookEndpointCursor {
  Timestamp created_at;
  std::string id;
};
struct WebhookEndpointQuery {
  std::optional<WebhookEndpointCursor> after;
  int limit = 50;
};

// Whether the endpoint asks for changes of `type` (disabled or not).
bool WantsChange(const WebhookEndpoint& endpoint, ChangeType type);

// Reports into `errors` (field "types") unless `types` holds 1..32 entries, each a change type
// name or "*", without repeats. `description`: at most 500 code points.
void CheckWebhookTypes(const std::vector<std::string>& types, FieldErrors& errors);
void CheckWebhookDescription(const std::optional<std::string>& description, FieldErrors& errors);

}  // namespace tt
