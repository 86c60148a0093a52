#include "http/error_response.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace tt::http {

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPreconditionFailed:
      return 412;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kValidationFailed:
      return 422;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kInternal:
      return 500;
    case ErrorCode::kUnavailable:
      return 503;
  }
  // Only reachable with a value outside the enum, which is a bug; answer as one.
  return 500;
}

api::Response ErrorResponse(const Error& error) {
  boost::json::object detail;
  detail["code"] = ErrorCodeName(error.code);
  detail["message"] = error.message;
  if (!error.fields.empty()) {
    boost::json::object fields;
    for (const auto& [name, problem] : error.fields) fields[name] = problem;
    detail["fields"] = std::move(fields);
  }
  boost::json::object body;
  body["error"] = std::move(detail);

  api::Response response;
  response.status = HttpStatus(error.code);
  response.content_type = "application/json";
  response.body = boost::json::serialize(body);
  if (error.code == ErrorCode::kUnauthenticated) {
    // RFC 9110 requires a challenge on every 401; clients use it to know a token is expected.
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  if (error.retry_after_seconds) {
    response.headers.emplace_back("Retry-After",
                                  std::to_string(std::max(0, *error.retry_after_seconds)));
  }
  return response;
}

}  // namespace tt::http
