#include "api/json_body.h"

#include <boost/json/parse.hpp>
#include <charconv>

namespace tt::api {
namespace json = boost::json;
namespace {

std::optional<int64_t> ParseInteger(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Result<json::object> ParseJsonObject(const Request& request) {
  if (!request.json_body) {
    return Error{ErrorCode::kUnsupportedMediaType,
                 "the body must be JSON (Content-Type: application/json)",
                 {},
                 {}};
  }
  std::error_code error;
  json::value value = json::parse(request.body, error);
  if (error) return Error::BadRequest("the body is not valid JSON: " + error.message());
  if (!value.is_object()) return Error::BadRequest("the body must be a JSON object");
  return std::move(value.as_object());
}

const json::value* FieldReader::Find(std::string_view key) const {
  return object_.if_contains(key);
}

void FieldReader::Require(std::string_view key) {
  if (Find(key) == nullptr) errors_.Add(key, "is required");
}

std::optional<std::string> FieldReader::String(std::string_view key) {
  const json::value* value = Find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    errors_.Add(key, "must be a string");
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::optional<bool> FieldReader::Bool(std::string_view key) {
  const json::value* value = Find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_bool()) {
    errors_.Add(key, "must be true or false");
    return std::nullopt;
  }
  return value->get_bool();
}

std::optional<std::optional<std::string>> FieldReader::NullableString(std::string_view key) {
  const json::value* value = Find(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) {
    errors_.Add(key, "must be a string or null");
    return std::nullopt;
  }
  return std::optional<std::string>(std::string(value->get_string()));
}

std::optional<Date> FieldReader::DateValue(std::string_view key) {
  const json::value* value = Find(key);
  if (value == nullptr) return std::nullopt;
  std::optional<Date> date;
  if (value->is_string()) date = Date::Parse(value->get_string());
  if (!date) errors_.Add(key, "must be a date (YYYY-MM-DD)");
  return date;
}

std::optional<std::optional<Date>> FieldReader::NullableDate(std::string_view key) {
  const json::value* value = Find(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_null()) return std::optional<Date>();
  std::optional<Date> date;
  if (value->is_string()) date = Date::Parse(value->get_string());
  if (!date) {
    errors_.Add(key, "must be a date (YYYY-MM-DD) or null");
    return std::nullopt;
  }
  return date;
}

std::optional<DateTime> FieldReader::DateTimeValue(std::string_view key) {
  const json::value* value = Find(key);
  if (value == nullptr) return std::nullopt;
  std::optional<DateTime> date_time;
  if (value->is_string()) date_time = DateTime::Parse(value->get_string());
  if (!date_time) {
    errors_.Add(key, "must be an RFC 3339 date-time with an offset (2026-06-13T16:39:57-07:00)");
  }
  return date_time;
}

std::optional<std::vector<std::string>> FieldReader::StringList(std::string_view key) {
  const json::value* value = Find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array()) {
    errors_.Add(key, "must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(value->get_array().size());
  for (const json::value& item : value->get_array()) {
    if (!item.is_string()) {
      errors_.Add(key, "must be an array of strings");
      return std::nullopt;
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

Status WithDecodeErrors(FieldErrors decode_errors, Status domain_check) {
  if (!domain_check.ok()) {
    if (domain_check.error().code != ErrorCode::kValidationFailed) return domain_check;
    for (const auto& [field, message] : domain_check.error().fields) {
      decode_errors.Add(field, message);
    }
  }
  return decode_errors.ToStatus();
}

int LimitParam(const Request& request, FieldErrors& errors) {
  std::optional<std::string_view> text = request.Query("limit");
  if (!text) return 50;
  std::optional<int64_t> limit = ParseInteger(*text);
  if (!limit || *limit < 1 || *limit > 200) {
    errors.Add("limit", "must be an integer from 1 to 200");
    return 50;
  }
  return static_cast<int>(*limit);
}

std::optional<Date> DateParam(const Request& request, std::string_view name, FieldErrors& errors) {
  std::optional<std::string_view> text = request.Query(name);
  if (!text) return std::nullopt;
  std::optional<Date> date = Date::Parse(*text);
  if (!date) errors.Add(name, "must be a date (YYYY-MM-DD)");
  return date;
}

void CheckDateRange(const std::optional<Date>& from, const std::optional<Date>& to,
                    FieldErrors& errors) {
  if (from && to && *to < *from) errors.Add("to", "must not be before from");
}

std::optional<int64_t> IfMatchVersion(const Request& request) { return request.if_match_version; }

Status CheckIfMatch(const Request& request, int64_t current_version) {
  std::optional<int64_t> wanted = IfMatchVersion(request);
  if (wanted && *wanted != current_version) return Error::PreconditionFailed();
  return Status::Ok();
}

}  // namespace tt::api
