// The API layer's view of an HTTP exchange, free of any transport library: src/http maps Beast
// messages to these and back, and owns the status and body of every Error.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/error.h"

namespace tt::api {

using Params = std::vector<std::pair<std::string, std::string>>;

// An If-None-Match condition (RFC 9110 section 13.1.2): `*`, or a list of entity tags compared
// weakly (W/"3" matches "3").
struct EntityTagList {
  bool any = false;                      // `*`: any current representation matches
  std::vector<std::string> opaque_tags;  // each with its quotes, without `W/`, e.g. "\"3\""
  // Whether `etag`, an ETag value as a response carries it ("\"3\"" or W/"3"), is matched.
  bool Matches(std::string_view etag) const;
};

// The Authorization header as the API reads it: `Bearer <token>` or `Token <token>` (schemes
// case-insensitive, RFC 9110 section 11.1; at most 512 characters of token).
struct Credentials {
  enum class Kind {
    kNone,       // no Authorization header
    kMalformed,  // another scheme, no token, or a token too long
    kToken,
  };
  Kind kind = Kind::kNone;
  std::string token;  // kToken only

  static Credentials Bearer(std::string token) { return {Kind::kToken, std::move(token)}; }
};

struct Request {
  std::string method;       // "GET", "POST", ...
  std::string path;         // percent-decoded path, without the query
  Params path_params;       // from the route template, e.g. {"id", "..."}
  Params query;             // percent-decoded, in order; a key may repeat
  Credentials credentials;  // from the Authorization header
  // Whether Content-Type names JSON: application/json or application/*+json, with no charset
  // other than UTF-8 (RFC 8259).
  bool json_body = false;
  // If-Match as this API reads it: the version the client read; nullopt when the header is
  // absent, empty or `*`; -1 when it names no version (so it matches none and a write is 412).
  std::optional<int64_t> if_match_version;
  // If-None-Match; nullopt when absent or malformed (a malformed one is ignored, RFC 9110).
  std::optional<EntityTagList> if_none_match;
  std::string host;  // the Host header as sent, or empty
  // CORS (src/http/cors.h): the Origin header as sent, and Access-Control-Request-Method, which
  // makes an OPTIONS a preflight; each empty when absent.
  std::string origin;
  std::string access_control_request_method;
  std::string body;
  std::string request_id;

  // The value of a path parameter of the matched route; empty when absent.
  std::string_view PathParam(std::string_view name) const;
  // The last value of a query parameter, or nullopt when absent.
  std::optional<std::string_view> Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers: ETag, Location...
};

using Handler = std::function<boost::asio::awaitable<Result<Response>>(const Request&)>;

// Who may call a route. Handlers enforce it themselves (they know who owns what); this copy in
// the route table is what the generated authorization test checks them against.
enum class Access {
  kPublic,        // anyone, no token needed
  kSignedIn,      // any valid token
  kOwnerOrAdmin,  // a valid token of the resource's owner, or of an admin
  kSelf,          // a valid token of the user named in the path
  kAdmin,         // a valid token of an admin
};

struct Route {
  std::string method;
  std::string path_template;  // OpenAPI syntax: "/competitions/{id}"
  Access access = Access::kPublic;
  Handler handler;
};

}  // namespace tt::api
