// Building blocks for validating client input. Every check reports into a FieldErrors collection
// so that one 422 names every offending field at once.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.h"

namespace tt {

class FieldErrors {
 public:
  // Keeps the first problem reported for a field.
  void Add(std::string_view field, std::string message);
  bool empty() const { return fields_.empty(); }
  bool Has(std::string_view field) const { return fields_.contains(std::string(field)); }
  // REQUIRES: !empty()
  Error ToError() const { return Error::Validation(fields_); }
  // Ok when empty, else the validation error.
  Status ToStatus() const;

 private:
  std::map<std::string, std::string> fields_;
};

// Number of Unicode code points in UTF-8 `text`; nullopt if it is not valid UTF-8.
std::optional<size_t> CodePointCount(std::string_view text);

// Reports a problem with `field` unless `text` is valid UTF-8 of min..max code points:
// "must not be empty", "must be at most MAX characters" (when min is 0) or
// "must be between MIN and MAX characters".
void CheckLength(std::string_view field, std::string_view text, size_t min, size_t max,
                 FieldErrors& errors);

// 3-32 characters of [A-Za-z0-9_.-].
void CheckUsername(std::string_view field, std::string_view username, FieldErrors& errors);
// 8-256 code points.
void CheckPassword(std::string_view field, std::string_view password, FieldErrors& errors);
// A plausible address: one `@` with text on both sides, no whitespace, at most 254 bytes.
void CheckEmail(std::string_view field, std::string_view email, FieldErrors& errors);
// An absolute http:// or https:// URL with a host, at most 2048 bytes.
void CheckHttpUrl(std::string_view field, std::string_view url, FieldErrors& errors);

// The key under which usernames are unique and matched: ASCII-lowercased (usernames are ASCII).
std::string UsernameKey(std::string_view username);

}  // namespace tt
