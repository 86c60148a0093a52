// Errors that the system expects in normal operation (bad input, missing resources, conflicts,
// an unavailable store) travel as `Error` values inside `Result<T>` or `Status`, never as
// exceptions. Each layer translates foreign errors once, where they enter (SQLite codes, DynamoDB
// answers), and src/http translates `ErrorCode` once, where it leaves (status and body).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tt {

// One code per class of failure in the wire contract; the HTTP status lives in src/http.
enum class ErrorCode {
  kBadRequest,
  kUnauthenticated,
  kForbidden,
  kNotFound,
  kMethodNotAllowed,
  kConflict,
  kPreconditionFailed,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kValidationFailed,
  kRateLimited,
  kInternal,
  kUnavailable,
};

// The code as it appears in error bodies, e.g. "validation_failed".
std::string_view ErrorCodeName(ErrorCode code);

// `message` is shown to clients: it never carries internals (SQL, AWS messages, stacks).
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::map<std::string, std::string> fields;  // field or parameter -> what is wrong with it
  std::optional<int> retry_after_seconds;     // for kRateLimited and kUnavailable

  static Error BadRequest(std::string message);
  static Error Unauthenticated(std::string message = "a valid token is required");
  static Error Forbidden(std::string message = "not allowed for this user");
  static Error NotFound(std::string message);
  static Error Conflict(std::string message);
  static Error PreconditionFailed(std::string message = "the resource has changed (If-Match)");
  static Error Validation(std::map<std::string, std::string> fields);
  static Error RateLimited(int retry_after_seconds);
  static Error Internal();
  static Error Unavailable(std::string message = "storage is unavailable, try again");
};

// A value or the error that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  // Asio needs a default value for a coroutine that ends in an exception: an internal error.
  Result() : state_(Error{ErrorCode::kInternal, "internal error", {}, {}}) {}
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok()
  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

// Success, or the error that prevented it.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  // REQUIRES: !ok()
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

}  // namespace tt
