// Webhook signatures as the Standard Webhooks specification (v1.0.0,
// https://www.standardwebhooks.com) defines them, so that receivers can verify them with that
// project's libraries or a few lines of their own:
//
//   webhook-signature: v1,<base64 of HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>
//
// A secret is shown to its owner as "whsec_" followed by the base64 of its key bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/clock.h"

namespace tt {

// Bytes of key a new secret carries (the specification asks for 24 to 64).
inline constexpr size_t kWebhookSecretBytes = 32;

// "whsec_" + base64 of kWebhookSecretBytes random bytes.
std::string NewWebhookSecret(RandomSource& random);
// The key bytes of "whsec_<base64>" (the prefix may be absent); nullopt when the base64 is
// malformed or carries fewer than 24 or more than 64 bytes.
std::optional<std::string> WebhookSecretKey(std::string_view secret);

// "v1,<base64 signature>" of one message under `key` (bytes, from WebhookSecretKey).
std::string SignWebhook(std::string_view key, std::string_view message_id, int64_t timestamp,
                        std::string_view body);

}  // namespace tt
