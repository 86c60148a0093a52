// Everything the API handlers depend on, built once by src/app and passed in.
#pragma once

#include <chrono>
#include <string>

#include "domain/clock.h"
#include "log/logger.h"
#include "security/password_hasher.h"
#include "security/secret_box.h"
#include "storage/store.h"

namespace tt::api {

class ResponseCache;

struct ApiOptions {
  std::chrono::seconds session_ttl{std::chrono::hours(24 * 30)};
  // Sign-in for a username is refused (429) after this many failures within the window.
  int sign_in_max_failures = 10;
  std::chrono::seconds sign_in_failure_window{std::chrono::minutes(15)};
  // Where clients reach the server ("https://api.example.com"), for the calendar URLs it hands
  // out; empty: built from each request's Host header.
  std::string public_url;
  // --webhook-allow-private: webhook URLs may use plain http and name private, loopback or
  // link-local hosts (tests, closed networks).
  bool webhook_allow_private = false;
};

struct Services {
  Store& store;
  PasswordHasher& hasher;
  const Clock& clock;
  RandomSource& random;
  Logger& logger;
  ApiOptions options;
  // Seals webhook signing secrets; without it the /webhooks routes answer 503.
  const SecretBox* webhook_secrets = nullptr;
  // The JSON of repeated reads (api/response_cache.h); null keeps nothing.
  ResponseCache* responses = nullptr;
};

}  // namespace tt::api
