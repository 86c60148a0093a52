#include "http/request_mapping.h"

#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
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

// The first value of `field`, or empty. A repeated Authorization or If-Match is unusual enough
// that taking the first is as good as any rule.
std::string FirstValue(const bhttp::fields& headers, bhttp::field field) {
  auto it = headers.find(field);
  return it == headers.end() ? std::string() : std::string(it->value());
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
  request.authorization = FirstValue(message, bhttp::field::authorization);
  request.content_type = FirstValue(message, bhttp::field::content_type);
  request.if_match = FirstValue(message, bhttp::field::if_match);
  request.body = std::move(message.body());
  request.request_id = std::move(request_id);
  return request;
}

BeastResponse ToBeastResponse(api::Response&& response, unsigned version, bool keep_alive,
                              std::string_view request_id) {
  if (response.status < 200 || response.status > 599) {
    response = ErrorResponse(Error::Internal());
  }
  BeastResponse message;
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  const bool has_body = response.status != 204 && response.status != 304;
  if (has_body) {
    if (!response.content_type.empty() && IsValidHeaderValue(response.content_type)) {
      message.set(bhttp::field::content_type, response.content_type);
    }
    message.body() = std::move(response.body);
  }
  for (const auto& [name, value] : response.headers) {
    if (IsValidHeaderName(name) && IsValidHeaderValue(value)) message.insert(name, value);
  }
  message.set("X-Request-Id", request_id);
  message.keep_alive(keep_alive);
  // For 204/304 Beast would send "Content-Length: 0", which RFC 9110 forbids for 204.
  if (has_body) message.prepare_payload();
  return message;
}

}  // namespace tt::http
