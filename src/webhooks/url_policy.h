// Which URLs a webhook endpoint may have (POST/PATCH /webhooks). Checked when the URL is stored;
// the sender checks the addresses it connects to again (address_policy.h), since a name can
// resolve elsewhere later.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tt::webhooks {

inline constexpr size_t kMaxWebhookUrlLength = 2048;

// nullopt when `url` may be a webhook's, else the reason, for the 422's `fields.url`: an absolute
// https URL with a host, no user information or fragment, at most kMaxWebhookUrlLength bytes;
// not `localhost` (or a name under `.localhost`), not a literal address that IsPublicAddress
// refuses. `allow_private` (--webhook-allow-private, for tests and closed networks) also allows
// http and those hosts.
std::optional<std::string> WebhookUrlProblem(std::string_view url, bool allow_private);

}  // namespace tt::webhooks
