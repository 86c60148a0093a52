#include "security/tokens.h"

#include <sodium.h>

#include <array>
#include <stdexcept>

#include "domain/cursor.h"

namespace tt {

SodiumRandom::SodiumRandom() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

void SodiumRandom::Fill(std::span<std::byte> out) { randombytes_buf(out.data(), out.size()); }

std::string NewSessionToken(RandomSource& random) {
  std::array<std::byte, 32> bytes;
  random.Fill(bytes);
  return Base64UrlEncode(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string HashSessionToken(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex;
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), hex.size() - 1);
}

}  // namespace tt
