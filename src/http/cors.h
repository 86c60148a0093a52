// Cross-origin resource sharing (the Fetch standard's CORS protocol), so that a web front end
// served from another origin can call the API. Credentials are bearer tokens in Authorization,
// never cookies, so no answer carries Access-Control-Allow-Credentials.
//
// Immutable after construction; safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/request.h"
#include "domain/error.h"

namespace tt::http {

// True for a serialized origin as browsers send it in `Origin`: `scheme://host[:port]`, lowercase
// scheme and host, no path, query, fragment or user info. "null" (an opaque origin) is not one.
bool IsSerializedOrigin(std::string_view text);

class CorsPolicy {
 public:
  // Allows no origin and adds no header: the default.
  CorsPolicy() = default;

  // `--cors-origins`: a comma-separated list of exact origins, or `*` for any serialized origin;
  // empty for none. kBadRequest (naming the entry) for an entry that is not a serialized origin.
  static Result<CorsPolicy> Parse(std::string_view setting);

  bool enabled() const { return any_ || !origins_.empty(); }
  // `origin` is the request's Origin header as sent (empty when absent). Malformed ones are
  // never allowed, not even by `*`.
  bool Allows(std::string_view origin) const;

  // Adds what every answer to a request from `origin` carries: when the policy is enabled,
  // `Vary: Origin` (the answer depends on it, so caches must key on it), and for an allowed
  // origin Access-Control-Allow-Origin (the origin itself) and Access-Control-Expose-Headers.
  void AddResponseHeaders(std::string_view origin, api::Response& response) const;

  // The answer to a preflight (OPTIONS with Origin and Access-Control-Request-Method) on a path
  // whose routes allow `methods`: 204 with the Access-Control-Allow-* headers for an allowed
  // origin, a 403 error for any other. AddResponseHeaders is still to be applied.
  api::Response PreflightResponse(std::string_view origin,
                                  const std::vector<std::string>& methods) const;

 private:
  bool any_ = false;
  std::vector<std::string> origins_;
};

}  // namespace tt::http
