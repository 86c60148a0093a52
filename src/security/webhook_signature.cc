#include "security/webhook_signature.h"

#include <sodium.h>

#include <array>
#include <string>

namespace tt {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";

std::string Base64(const unsigned char* bytes, size_t size) {
  std::string text(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  text.pop_back();  // the terminating NUL sodium writes
  return text;
}

}  // namespace

std::string NewWebhookSecret(RandomSource& random) {
  std::array<std::byte, kWebhookSecretBytes> bytes;
  random.Fill(bytes);
  return std::string(kSecretPrefix) +
         Base64(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::optional<std::string> WebhookSecretKey(std::string_view secret) {
  if (secret.starts_with(kSecretPrefix)) secret.remove_prefix(kSecretPrefix.size());
  std::string key(secret.size(), '\0');
  size_t size = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), secret.data(),
                        secret.size(), nullptr, &size, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != secret.data() + secret.size() || size < 24 || size > 64) {
    return std::nullopt;
  }
  key.resize(size);
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
  return "v1," + Base64(mac.data(), mac.size());
}

}  // namespace tt
