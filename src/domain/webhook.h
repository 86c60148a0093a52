// Webhook endpoints: where an integrator (an admin) asks for change records (domain/change.h) to
// be delivered, signed as Standard Webhooks specifies (docs/WEBHOOKS.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/change.h"
#include "domain/fields.h"
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

// Fields given in a create or PATCH body (see domain/fields.h).
struct WebhookEndpointPatch {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> types;
  std::optional<std::optional<std::string>> description;
  std::optional<bool> disabled;
};

void CheckWebhookTypes(const std::vector<std::string>& types, FieldErrors& errors);
// CheckWebhookTypes as a field table's check.
inline void WebhookTypes(std::string_view, const std::vector<std::string>& types,
                         FieldErrors& errors) {
  CheckWebhookTypes(types, errors);
}

// WebhookEndpoint's members as the API shows them. The URL's check depends on the server's
// --webhook-allow-private, so the handlers make it (webhooks/url_policy.h); the table only bounds
// its length.
inline constexpr auto kWebhookEndpointFields = std::make_tuple(
    ServerField("id", &WebhookEndpoint::id, FieldWrite::kCreation),
    ClientField("url", &WebhookEndpoint::url, &WebhookEndpointPatch::url, Presence::kRequired,
                &LengthBetween<1, 2048>),
    ClientField("types", &WebhookEndpoint::types, &WebhookEndpointPatch::types, Presence::kRequired,
                &WebhookTypes),
    ClientField("description", &WebhookEndpoint::description, &WebhookEndpointPatch::description,
                Presence::kOptional, &LengthBetween<0, 500>),
    ClientField("disabled", &WebhookEndpoint::disabled, &WebhookEndpointPatch::disabled,
                Presence::kOptional),
    ServerField("created_at", &WebhookEndpoint::created_at, FieldWrite::kCreation),
    ServerField("updated_at", &WebhookEndpoint::updated_at, FieldWrite::kEveryWrite),
    ServerField("version", &WebhookEndpoint::version, FieldWrite::kEveryWrite));

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

// Applies a create or PATCH body (see domain/fields.h); field problems in the result. The URL's
// policy is the handler's (see kWebhookEndpointFields).
Status ApplyWebhookEndpointPatch(const WebhookEndpointPatch& patch, bool creating,
                                 WebhookEndpoint& endpoint);

// The list cursor (an opaque string) of the position after `cursor`, and back; nullopt for a
// string this list did not give out.
std::string EncodeWebhookEndpointCursor(const WebhookEndpointCursor& cursor);
std::optional<WebhookEndpointCursor> DecodeWebhookEndpointCursor(std::string_view text);

// Whether the endpoint asks for changes of `type` (disabled or not).
bool WantsChange(const WebhookEndpoint& endpoint, ChangeType type);

// Reports into `errors` (field "types") unless `types` holds 1..32 entries, each a change type
// name or "*", without repeats (declared above, for the field table).

}  // namespace tt
