#include "http/request_mapping.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <cstdint>
#include <random>
#include <utility>

#include "http/error_response.h"

namespace tt::http {
namespace {

namespace bhttp = boost::beast::http;

bool IsTokenChar(char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsValidHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsValidHeaderValue(std::string_view value) {
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) return false;
  }
  return true;
}

// Headers the server writes itself: a handler's copy would duplicate them or contradict the
// framing (a second Content-Length, a Transfer-Encoding the body does not follow).
bool IsServersOwnHeader(std::string_view name) {
  for (const std::string_view own :
       {"content-length", "transfer-encoding", "connection", "x-request-id"}) {
    if (boost::beast::iequals(name, own)) return true;
  }
  return false;
}

// The first value of `field`, or empty. A repeated Authorization or If-Match is unusual enough
// that taking the first is as good as any rule.
std::string FirstValue(const bhttp::fields& headers, bhttp::field field) {
  auto it = headers.find(field);
  return it == headers.end() ? std::string() : std::string(it->value());
}

// Every value of a list-valued `field` joined with commas, which RFC 9110 (section 5.3) makes
// the same as one field line; nullopt when absent.
std::optional<std::string> ListValue(const bhttp::fields& headers, bhttp::field field) {
  std::optional<std::string> joined;
  for (auto range = headers.equal_range(field); range.first != range.second; ++range.first) {
    if (joined) {
      *joined += ',';
    } else {
      joined.emplace();
    }
    *joined += range.first->value();
  }
  return joined;
}

std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// etagc (RFC 9110): any visible character but DQUOTE, and obs-text.
bool IsEntityTagChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte == 0x21 || (byte >= 0x23 && byte != 0x7f);
}

}  // namespace

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!allowed) return false;
  }
  return true;
}

std::string GenerateRequestId() {
  // One engine per thread: no lock on the request path, and std::mt19937_64 is not thread-safe.
  thread_local std::mt19937_64 engine{[] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = engine();
  std::string id(16, '0');
  for (char& c : id) {
    c = kHex[bits & 0xf];
    bits >>= 4;
  }
  return id;
}

std::string RequestIdFor(const bhttp::fields& headers) {
  auto it = headers.find("X-Request-Id");
  if (it != headers.end() && IsValidRequestId(it->value())) return std::string(it->value());
  return GenerateRequestId();
}

api::Credentials ParseAuthorization(std::string_view value) {
  if (value.empty()) return {};
  const api::Credentials malformed{api::Credentials::Kind::kMalformed, {}};
  const size_t space = value.find(' ');
  if (space == std::string_view::npos) return malformed;
  std::string scheme(value.substr(0, space));
  for (char& c : scheme) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (scheme != "bearer" && scheme != "token") return malformed;
  std::string_view token = value.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 512) return malformed;
  return api::Credentials::Bearer(std::string(token));
}

bool IsJsonMediaType(std::string_view content_type) {
  std::string value(content_type);
  for (char& c : value) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string_view rest = value;
  size_t semicolon = rest.find(';');
  const std::string_view media = TrimBlanks(rest.substr(0, semicolon));
  if (media != "application/json" &&
      !(media.starts_with("application/") && media.ends_with("+json"))) {
    return false;
  }
  // Only UTF-8 is JSON (RFC 8259); any other declared charset is refused.
  while (semicolon != std::string_view::npos) {
    rest = rest.substr(semicolon + 1);
    semicolon = rest.find(';');
    const std::string_view parameter = TrimBlanks(rest.substr(0, semicolon));
    if (parameter.starts_with("charset=")) {
      std::string_view charset = parameter.substr(8);
      if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
        charset = charset.substr(1, charset.size() - 2);
      }
      if (charset != "utf-8" && charset != "utf8") return false;
    }
  }
  return true;
}

std::optional<int64_t> ParseIfMatchVersion(std::string_view value) {
  value = TrimBlanks(value);
  if (value.empty() || value == "*") return std::nullopt;
  if (value.starts_with("W/")) value.remove_prefix(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  int64_t version = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), version);
  if (value.empty() || error != std::errc() || end != value.data() + value.size() || version < 1) {
    return -1;
  }
  return version;
}

std::optional<api::EntityTagList> ParseIfNoneMatch(std::string_view value) {
  api::EntityTagList list;
  if (TrimBlanks(value) == "*") {
    list.any = true;
    return list;
  }
  while (true) {
    const size_t comma = value.find(',');
    std::string_view element = TrimBlanks(value.substr(0, comma));
    if (!element.empty()) {
      if (element.starts_with("W/")) element.remove_prefix(2);
      if (element.size() < 2 || element.front() != '"' || element.back() != '"') {
        return std::nullopt;
      }
      for (char c : element.substr(1, element.size() - 2)) {
        if (!IsEntityTagChar(c)) return std::nullopt;
      }
      list.opaque_tags.emplace_back(element);
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  if (list.opaque_tags.empty()) return std::nullopt;
  return list;
}

bool HasUnambiguousFraming(const bhttp::fields& headers, bool chunked) {
  if (headers.count(bhttp::field::transfer_encoding) == 0) return true;
  return chunked && headers.count(bhttp::field::content_length) == 0;
}

Result<api::Request> ToApiRequest(BeastRequest&& message, std::string request_id) {
  boost::system::result<boost::urls::url_view> target =
      boost::urls::parse_origin_form(message.target());
  if (!target) return Error::BadRequest("malformed request target");

  api::Request request;
  // Decoding segment by segment keeps an encoded "%2F" from turning into a separator.
  for (boost::urls::pct_string_view segment : target->encoded_segments()) {
    std::string decoded = segment.decode();
    if (decoded.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
      return Error::NotFound("no such route");
    }
    request.path += '/';
    request.path += decoded;
  }
  if (request.path.empty()) request.path = "/";
  if (target->has_query()) {
    for (boost::urls::param param : target->params()) {
      request.query.emplace_back(std::move(param.key), std::move(param.value));
    }
  }

  request.method = std::string(message.method_string());
  request.credentials = ParseAuthorization(FirstValue(message, bhttp::field::authorization));
  request.json_body = IsJsonMediaType(FirstValue(message, bhttp::field::content_type));
  request.if_match_version = ParseIfMatchVersion(FirstValue(message, bhttp::field::if_match));
  if (std::optional<std::string> if_none_match = ListValue(message, bhttp::field::if_none_match)) {
    request.if_none_match = ParseIfNoneMatch(*if_none_match);
  }
  request.host = FirstValue(message, bhttp::field::host);
  request.origin = FirstValue(message, bhttp::field::origin);
  request.access_control_request_method =
      FirstValue(message, bhttp::field::access_control_request_method);
  request.body = std::move(message.body());
  request.request_id = std::move(request_id);
  return request;
}

WireResponse ToWireResponse(api::Response&& response, unsigned version, bool keep_alive,
                            std::string_view request_id, bool send_body) {
  if (response.status < 200 || response.status > 599) {
    response = ErrorResponse(Error::Internal());
  }
  WireResponse wire;
  wire.status = response.status;
  const bool has_body = response.status != 204 && response.status != 304;
  const std::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(wire.status));
  const std::string length = has_body ? std::to_string(response.body.size()) : std::string();

  size_t size = 64 + reason.size() + response.content_type.size() + request_id.size();
  for (const auto& [name, value] : response.headers) size += name.size() + value.size() + 4;
  std::string& head = wire.head;
  head.reserve(size);
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(wire.status);
  head += ' ';
  head += reason;
  head += "\r\n";
  auto add = [&head](std::string_view name, std::string_view value) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  };
  if (has_body && !response.content_type.empty() && IsValidHeaderValue(response.content_type)) {
    add("Content-Type", response.content_type);
  }
  for (const auto& [name, value] : response.headers) {
    if (IsValidHeaderName(name) && IsValidHeaderValue(value) && !IsServersOwnHeader(name)) {
      add(name, value);
    }
  }
  add("X-Request-Id", request_id);
  // HTTP/1.1 keeps a connection open unless told, HTTP/1.0 closes it unless told.
  if (version != 10 && !keep_alive) add("Connection", "close");
  if (version == 10 && keep_alive) add("Connection", "keep-alive");
  // For 204/304 no Content-Length: RFC 9110 forbids it for 204.
  if (has_body) add("Content-Length", length);
  head += "\r\n";
  if (has_body && send_body) wire.body = std::move(response.body);
  return wire;
}

}  // namespace tt::http
