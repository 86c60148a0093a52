// Session tokens: 32 random bytes, base64url on the wire; only their SHA-256 is stored.
#pragma once

#include <string>
#include <string_view>

#include "domain/clock.h"

namespace tt {

// A libsodium-backed RandomSource (randombytes_buf).
class SodiumRandom final : public RandomSource {
 public:
  // Initialises libsodium; throws std::runtime_error when it cannot be.
  SodiumRandom();
  void Fill(std::span<std::byte> out) override;
};

// 43 characters of base64url carrying 32 random bytes.
std::string NewSessionToken(RandomSource& random);
// Lowercase hex SHA-256 of `token`, the form in which sessions are stored and looked up.
std::string HashSessionToken(std::string_view token);

}  // namespace tt
