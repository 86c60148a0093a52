#include "domain/error.h"

namespace tt {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
      return "bad_request";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kMethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kPreconditionFailed:
      return "precondition_failed";
    case ErrorCode::kPayloadTooLarge:
      return "payload_too_large";
    case ErrorCode::kUnsupportedMediaType:
      return "unsupported_media_type";
    case ErrorCode::kValidationFailed:
      return "validation_failed";
    case ErrorCode::kRateLimited:
      return "rate_limited";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kUnavailable:
      return "unavailable";
  }
  return "internal";
}

Error Error::BadRequest(std::string message) {
  return Error{ErrorCode::kBadRequest, std::move(message), {}, {}};
}
Error Error::Unauthenticated(std::string message) {
  return Error{ErrorCode::kUnauthenticated, std::move(message), {}, {}};
}
Error Error::Forbidden(std::string message) {
  return Error{ErrorCode::kForbidden, std::move(message), {}, {}};
}
Error Error::NotFound(std::string message) {
  return Error{ErrorCode::kNotFound, std::move(message), {}, {}};
}
Error Error::Conflict(std::string message) {
  return Error{ErrorCode::kConflict, std::move(message), {}, {}};
}
Error Error::PreconditionFailed(std::string message) {
  return Error{ErrorCode::kPreconditionFailed, std::move(message), {}, {}};
}
Error Error::Validation(std::map<std::string, std::string> fields) {
  return Error{
      ErrorCode::kValidationFailed, "the request has invalid fields", std::move(fields), {}};
}
Error Error::RateLimited(int retry_after_seconds) {
  return Error{
      ErrorCode::kRateLimited, "too many attempts, try again later", {}, retry_after_seconds};
}
Error Error::Internal() { return Error{ErrorCode::kInternal, "internal error", {}, {}}; }
Error Error::Unavailable(std::string message) {
  return Error{ErrorCode::kUnavailable, std::move(message), {}, 1};
}

}  // namespace tt
