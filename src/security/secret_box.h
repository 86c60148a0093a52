// SecretBox: secrets stored sealed under a key kept outside the database (webhook signing
// secrets), so that a dump of the database alone cannot sign. libsodium's crypto_secretbox
// (XSalsa20-Poly1305): a fresh random nonce per seal, and opening fails on any change.
//
// Thread-safety: const methods may be called from any thread at once.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "domain/clock.h"
#include "domain/error.h"

namespace tt {

class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;
  using Key = std::array<unsigned char, kKeyBytes>;

  explicit SecretBox(const Key& key) : key_(key) {}

  // The key in `path`: the base64 of kKeyBytes bytes on one line. When the file is missing and
  // `create` is set, makes one (mode 0600) with a random key. kUnavailable when it cannot be read
  // or written; kInternal when it holds something else. Messages name the path, never the key.
  static Result<SecretBox> FromKeyFile(const std::filesystem::path& path, bool create,
                                       RandomSource& random);

  // "sb1:" + base64 of nonce, tag and ciphertext.
  std::string Seal(std::string_view secret, RandomSource& random) const;
  // The secret `sealed` holds; nullopt when it is malformed, was sealed under another key or was
  // changed.
  std::optional<std::string> Open(std::string_view sealed) const;

 private:
  Key key_;
};

}  // namespace tt
