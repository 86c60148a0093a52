#include "security/webhook_signature.h"

#include <sodium.h>

#include <array>
#include <string>

#include "security/base64.h"

namespace tt {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";

}  // namespace

std::string NewWebhookSecret(RandomSource& random) {
  std::array<std::byte, kWebhookSecretBytes> bytes;
  random.Fill(bytes);
  return std::string(kSecretPrefix) +
         Base64Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::optional<std::string> WebhookSecretKey(std::string_view secret) {
  if (secret.starts_with(kSecretPrefix)) secret.remove_prefix(kSecretPrefix.size());
  std::optional<std::string> key = Base64Decode(secret);
  if (!key.has_value() || key->size() < 24 || key->size() > 64) return std::nullopt;
  return key;
}

std::string SignWebhook(std::string_view key, std::string_view message_id, int64_t timestamp,
                        std::string_view body) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  const std::string prefix = std::string(message_id) + "." + std::to_string(timestamp) + ".";
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()),
                                prefix.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac;
  crypto_auth_hmacsha256_final(&state, mac.data());
  return "v1," +
         Base64Encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

}  // namespace tt
