// Decoding request bodies and query parameters into domain values, reporting every problem in
// one FieldErrors so that a 422 names each offending field.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "api/request.h"
#include "domain/fields.h"
#include "domain/time.h"
#include "domain/validation.h"

namespace tt::api {

// The body as a JSON object: kUnsupportedMediaType unless the Content-Type is JSON
// (`application/json`, optionally with `charset=utf-8`, or a `+json` type), kBadRequest unless
// the body is valid UTF-8 JSON whose top level is an object.
Result<boost::json::object> ParseJsonObject(const Request& request);

// Reads typed members of a JSON object. Absent members give nullopt; a member of the wrong type
// (including null where null is not allowed) is reported in `errors` and gives nullopt.
class FieldReader {
 public:
  FieldReader(const boost::json::object& object, FieldErrors& errors)
      : object_(object), errors_(errors) {}

  std::optional<std::string> String(std::string_view key);
  // The outer optional is "present"; the inner one is null.
  std::optional<std::optional<std::string>> NullableString(std::string_view key);
  std::optional<Date> DateValue(std::string_view key);
  std::optional<std::optional<Date>> NullableDate(std::string_view key);
  std::optional<DateTime> DateTimeValue(std::string_view key);
  std::optional<std::vector<std::string>> StringList(std::string_view key);
  std::optional<bool> Bool(std::string_view key);
  // Reports "is required" when absent.
  void Require(std::string_view key);

  // The member `key` into `value` by the value's type, as the functions above read it (for the
  // client fields of field tables): the outer optional is "present"; an inner one, null.
  void Read(std::string_view key, std::optional<std::string>& value) { value = String(key); }
  void Read(std::string_view key, std::optional<std::optional<std::string>>& value) {
    value = NullableString(key);
  }
  void Read(std::string_view key, std::optional<Date>& value) { value = DateValue(key); }
  void Read(std::string_view key, std::optional<std::optional<Date>>& value) {
    value = NullableDate(key);
  }
  void Read(std::string_view key, std::optional<std::vector<std::string>>& value) {
    value = StringList(key);
  }
  void Read(std::string_view key, std::optional<DateTime>& value) { value = DateTimeValue(key); }
  void Read(std::string_view key, std::optional<bool>& value) { value = Bool(key); }

 private:
  const boost::json::value* Find(std::string_view key) const;
  const boost::json::object& object_;
  FieldErrors& errors_;
};

// A create or PATCH body as `Patch`: each client field of `fields` (domain/fields.h) read into
// its patch member, then `read_more(reader, patch)` for members of the patch that are not fields
// of the resource. Only a body that is not a JSON object (kBadRequest) or not JSON at all
// (kUnsupportedMediaType) fails; field-level problems go to `errors`.
template <typename Patch, typename Table, typename ReadMore>
Result<Patch> DecodePatchFields(const Request& request, const Table& fields, FieldErrors& errors,
                                ReadMore read_more) {
  Result<boost::json::object> body = ParseJsonObject(request);
  if (!body) return std::move(body).error();
  FieldReader reader(*body, errors);
  Patch patch;
  ForEachField(fields, [&](const auto& entry) {
    if constexpr (ClientWritten<std::decay_t<decltype(entry)>>) {
      reader.Read(entry.name, patch.*entry.patch_member);
    }
  });
  read_more(reader, patch);
  return patch;
}
template <typename Patch, typename Table>
Result<Patch> DecodePatchFields(const Request& request, const Table& fields, FieldErrors& errors) {
  return DecodePatchFields<Patch>(request, fields, errors, [](FieldReader&, Patch&) {});
}

// The domain's check of a decoded body with the decoding's own field errors in front, so that one
// 422 names every offending field.
Status WithDecodeErrors(FieldErrors decode_errors, Status domain_check);

// ?limit=: 1..200, default 50.
int LimitParam(const Request& request, FieldErrors& errors);
// A `YYYY-MM-DD` query parameter, or nullopt when absent.
std::optional<Date> DateParam(const Request& request, std::string_view name, FieldErrors& errors);

// ?cursor=: the position `decode` reads from it, or nullopt when absent; a cursor this list did
// not give out is reported in `errors`.
template <typename Cursor>
std::optional<Cursor> CursorParam(const Request& request,
                                  std::optional<Cursor> (*decode)(std::string_view),
                                  FieldErrors& errors) {
  std::optional<std::string_view> text = request.Query("cursor");
  if (!text) return std::nullopt;
  std::optional<Cursor> cursor = decode(*text);
  if (!cursor) errors.Add("cursor", "is not a cursor this list gave out");
  return cursor;
}

// Reports `to` when both dates are given and it is before `from`.
void CheckDateRange(const std::optional<Date>& from, const std::optional<Date>& to,
                    FieldErrors& errors);

// If-Match: nullopt when absent or `*`; the version of `"N"` or `W/"N"`. Anything else matches
// no version, so it answers 412 (returned as -1).
std::optional<int64_t> IfMatchVersion(const Request& request);
// kPreconditionFailed when If-Match names a version other than `current`.
Status CheckIfMatch(const Request& request, int64_t current_version);

}  // namespace tt::api
