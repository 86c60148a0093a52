#include "domain/webhook.h"

#include <algorithm>
#include <set>

#include "domain/cursor.h"

namespace tt {

bool WantsChange(const WebhookEndpoint& endpoint, ChangeType type) {
  const std::string_view name = ChangeTypeName(type);
  return std::any_of(endpoint.types.begin(), endpoint.types.end(), [&](const std::string& wanted) {
    return wanted == kAllChangeTypesWildcard || wanted == name;
  });
}

Status ApplyWebhookEndpointPatch(const WebhookEndpointPatch& patch, bool creating,
                                 WebhookEndpoint& endpoint) {
  FieldErrors errors;
  ApplyPatchFields(kWebhookEndpointFields, patch, creating, endpoint, errors);
  return errors.ToStatus();
}

std::string EncodeWebhookEndpointCursor(const WebhookEndpointCursor& cursor) {
  return EncodeCursor({FormatUtc(cursor.created_at), cursor.id});
}

std::optional<WebhookEndpointCursor> DecodeWebhookEndpointCursor(std::string_view text) {
  auto parts = DecodeCursor(text, 2);
  if (!parts) return std::nullopt;
  std::optional<Timestamp> created_at = ParseInstant((*parts)[0]);
  if (!created_at) return std::nullopt;
  return WebhookEndpointCursor{*created_at, std::move((*parts)[1])};
}

void CheckWebhookTypes(const std::vector<std::string>& types, FieldErrors& errors) {
  if (types.empty() || types.size() > 32) {
    errors.Add("types", "must list 1 to 32 change types (or \"*\")");
    return;
  }
  std::set<std::string_view> seen;
  for (const std::string& type : types) {
    if (type != kAllChangeTypesWildcard && !ParseChangeType(type).has_value()) {
      errors.Add("types", "\"" + type.substr(0, 64) + "\" is not a change type");
      return;
    }
    if (!seen.insert(type).second) {
      errors.Add("types", "lists \"" + type + "\" twice");
      return;
    }
  }
}

}  // namespace tt
