// Everything the API handlers depend on, built once by src/app and passed in.
#pragma once

#include <chrono>

#include "domain/clock.h"
#include "log/logger.h"
#include "security/password_hasher.h"
#include "storage/store.h"

namespace tt::api {

struct ApiOptions {
  std::chrono::seconds session_ttl{std::chrono::hours(24 * 30)};
  // Sign-in for a username is refused (429) after this many failures within the window.
  int sign_in_max_failures = 10;
  std::chrono::seconds sign_in_failure_window{std::chrono::minutes(15)};
};

struct Services {
  Store& store;
  PasswordHasher& hasher;
  const Clock& clock;
  RandomSource& random;
  Logger& logger;
  ApiOptions options;
};

}  // namespace tt::api
