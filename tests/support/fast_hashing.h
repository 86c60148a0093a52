// Password hashing options for tests: the smallest Argon2id work libsodium accepts, one thread,
// so that tests that sign up and sign in stay fast. Never for production.
#pragma once

#include "security/password_hasher.h"

namespace tt::testing {

inline PasswordHashOptions FastHashing() {
  PasswordHashOptions options;
  options.threads = 1;
  options.ops_limit = 1;
  options.memory_limit_bytes = 8 * 1024;  // crypto_pwhash_MEMLIMIT_MIN
  return options;
}

}  // namespace tt::testing
