#include "http/cors.h"

#include <algorithm>

#include "http/error_response.h"

namespace tt::http {
namespace {

// Browsers cap how long they keep a preflight (Chromium at 2 hours); this is that cap.
constexpr std::string_view kMaxAgeSeconds = "7200";
constexpr std::string_view kAllowedRequestHeaders =
    "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id";
constexpr std::string_view kExposedHeaders = "ETag, Location, Retry-After, X-Request-Id";

bool IsLowerAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool IsHost(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') {  // an IPv6 literal
    if (host.size() < 3 || host.back() != ']') return false;
    return std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
      return IsDigit(c) || (c >= 'a' && c <= 'f') || c == ':' || c == '.';
    });
  }
  // A registered name or IPv4 address as the URL standard serializes it: lowercase, no
  // percent-escapes left in an origin's host.
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return IsLowerAlpha(c) || IsDigit(c) || c == '-' || c == '.'; });
}

}  // namespace

bool IsSerializedOrigin(std::string_view text) {
  const size_t separator = text.find("://");
  if (separator == std::string_view::npos || separator == 0) return false;
  const std::string_view scheme = text.substr(0, separator);
  if (!IsLowerAlpha(scheme.front())) return false;
  for (char c : scheme) {
    if (!IsLowerAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  std::string_view authority = text.substr(separator + 3);
  // A port follows the last ':' that is not inside an IPv6 literal.
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), IsDigit)) {
      return false;
    }
    if (port.size() > 1 && port.front() == '0') return false;
    if (std::stoi(std::string(port)) > 65535) return false;
    authority = authority.substr(0, colon);
  }
  return IsHost(authority);
}

Result<CorsPolicy> CorsPolicy::Parse(std::string_view setting) {
  CorsPolicy policy;
  setting = Trim(setting);
  if (setting.empty()) return policy;
  if (setting == "*") {
    policy.any_ = true;
    return policy;
  }
  while (true) {
    const size_t comma = setting.find(',');
    const std::string_view entry = Trim(setting.substr(0, comma));
    if (!IsSerializedOrigin(entry)) {
      return Error{ErrorCode::kBadRequest,
                   "--cors-origins: '" + std::string(entry) +
                       "' is not an origin (scheme://host[:port] in lowercase, no path), nor *",
                   {},
                   {}};
    }
    policy.origins_.emplace_back(entry);
    if (comma == std::string_view::npos) break;
    setting.remove_prefix(comma + 1);
  }
  return policy;
}

bool CorsPolicy::Allows(std::string_view origin) const {
  if (!enabled() || !IsSerializedOrigin(origin)) return false;
  return any_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void CorsPolicy::AddResponseHeaders(std::string_view origin, api::Response& response) const {
  if (!enabled()) return;
  response.headers.emplace_back("Vary", "Origin");
  if (!Allows(origin)) return;
  response.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  response.headers.emplace_back("Access-Control-Expose-Headers", std::string(kExposedHeaders));
}

api::Response CorsPolicy::PreflightResponse(std::string_view origin,
                                            const std::vector<std::string>& methods) const {
  if (!Allows(origin)) {
    return ErrorResponse(
        Error::Forbidden("cross-origin requests from this origin are not allowed"));
  }
  api::Response response;
  response.status = 204;
  response.content_type.clear();
  std::string allowed;
  for (const std::string& method : methods) {
    if (!allowed.empty()) allowed += ", ";
    allowed += method;
  }
  response.headers.emplace_back("Access-Control-Allow-Methods", std::move(allowed));
  response.headers.emplace_back("Access-Control-Allow-Headers",
                                std::string(kAllowedRequestHeaders));
  response.headers.emplace_back("Access-Control-Max-Age", std::string(kMaxAgeSeconds));
  return response;
}

}  // namespace tt::http
