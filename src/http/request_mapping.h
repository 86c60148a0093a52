// Translation between the wire (Beast requests, response bytes) and the transport-free
// api::Request / api::Response, and the request-id rule. Pure functions, so the HTTP details
// can be tested without a socket.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/request.h"
#include "domain/error.h"

namespace tt::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// A client's X-Request-Id is reused only when it is 1..64 of [A-Za-z0-9._-]: it goes into log
// lines and response headers, so anything else could forge or break them.
bool IsValidRequestId(std::string_view id);
// 16 random lowercase hex digits. Not a secret: it only has to be unlikely to repeat.
std::string GenerateRequestId();
// The client's X-Request-Id when valid, else a fresh one.
std::string RequestIdFor(const boost::beast::http::fields& headers);

// Whether the message framing is one we can trust: a Transfer-Encoding must end in chunked and
// must not come with a Content-Length. Anything else lets a proxy and this server disagree on
// where the request ends (request smuggling). `chunked` is what the parser concluded.
bool HasUnambiguousFraming(const boost::beast::http::fields& headers, bool chunked);

// If-Match as the API reads it (see api::Request::if_match_version): `"N"` or `W/"N"` (the
// quotes optional, as earlier clients sent them) is version N >= 1; absent, empty or `*` is
// nullopt; anything else is -1, which matches no version.
std::optional<int64_t> ParseIfMatchVersion(std::string_view value);
// If-None-Match (RFC 9110): `*` or a comma-separated list of entity tags (`"x"` or `W/"x"`,
// blanks and empty list elements allowed); nullopt for anything else, which is then ignored.
std::optional<api::EntityTagList> ParseIfNoneMatch(std::string_view value);

// The credentials of an Authorization header value (empty: no header).
api::Credentials ParseAuthorization(std::string_view value);
// Whether a Content-Type value names JSON as the API accepts it (see api::Request::json_body).
bool IsJsonMediaType(std::string_view content_type);

// The api::Request for `message`: the target split into a percent-decoded path and query
// parameters ('+' is a space in the query, as browsers send it), and the headers the API reads.
// A target that is not origin-form ("/path?query") is bad_request; a path segment that decodes
// to a '/' or a NUL is not_found, since no route can name it.
Result<api::Request> ToApiRequest(BeastRequest&& message, std::string request_id);

// An answer as it goes on the wire: the status line and header block, then the body. Written
// with one gather write; no Beast message is built for it, since its fields (one allocation
// each) and serializer cost more than the rest of a small answer's mapping.
struct WireResponse {
  int status = 500;
  std::string head;  // "HTTP/1.1 200 OK\r\n" ... "\r\n\r\n"
  std::string body;
};

// The wire form of `response` in HTTP `version` (10 or 11), with X-Request-Id, Content-Length
// and, where the version needs it to say so, Connection. 204 and 304 carry neither a body nor
// a Content-Type nor a Content-Length. Extra headers with a malformed name or a control
// character in the value are dropped rather than sent (header injection), and so are the ones
// the server writes itself (Content-Length, Transfer-Encoding, Connection, X-Request-Id); a
// status outside 200..599 is a bug in a handler and becomes a 500. With `send_body` false (an
// answer to HEAD) the Content-Length stays that of the body, which is not sent.
WireResponse ToWireResponse(api::Response&& response, unsigned version, bool keep_alive,
                            std::string_view request_id, bool send_body = true);

}  // namespace tt::http
