// JsonWriter: JSON text appended straight to a std::string, for response bodies. Encoding a
// page of 100 competitions as a Boost.JSON tree and then serialising it cost about as much as
// reading them from SQLite (an allocation per member, docs/BENCHMARKS.md); this writes each
// byte once into a buffer sized up front. Request bodies are still parsed with Boost.JSON.
//
// The writer puts commas and colons where they belong; the caller keeps the structure valid
// (a Key before each value inside an object, matching Begin/End calls), which tests check by
// parsing the output. Strings are escaped as RFC 8259 requires ('"', '\\' and control
// characters); other bytes, valid UTF-8 since every stored string came through the parser, are
// copied as they are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time.h"

namespace tt::api {

class JsonWriter {
 public:
  // Appends to `out`, which must outlive the writer.
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // The name of the next member of the current object: one of the contract's field names,
  // written as it is (nothing in them needs escaping; never pass input here).
  void Key(std::string_view name);

  void String(std::string_view text);
  void Int(int64_t value);
  void Bool(bool value);
  void Null();
  void OptionalString(const std::optional<std::string>& text);
  // `json`, one complete JSON value written by this program (a stored change's data), copied
  // as it is.
  void RawValue(std::string_view json);
  void Date(const tt::Date& date);        // "YYYY-MM-DD"
  void Timestamp(tt::Timestamp instant);  // FormatUtc's text

  // Key(name) then the value.
  template <typename Value>
  void Member(std::string_view name, const Value& value) {
    Key(name);
    Write(value);
  }

 private:
  void Write(std::string_view text) { String(text); }
  void Write(const std::string& text) { String(text); }
  void Write(const char* text) { String(text); }
  void Write(int64_t value) { Int(value); }
  void Write(int value) { Int(value); }
  void Write(bool value) { Bool(value); }
  void Write(const std::optional<std::string>& text) { OptionalString(text); }
  void Write(const tt::Date& date) { Date(date); }
  void Write(tt::Timestamp instant) { Timestamp(instant); }
  void Write(const tt::DateTime& date_time) { String(date_time.ToString()); }
  void Write(const std::optional<tt::Date>& date) {
    if (date.has_value()) {
      Date(*date);
    } else {
      Null();
    }
  }
  void Write(const std::vector<std::string>& texts) {
    BeginArray();
    for (const std::string& text : texts) String(text);
    EndArray();
  }

  // A comma unless this value is the first in its array or object, or follows its key.
  void BeforeValue();
  void Open(char bracket);
  void Close(char bracket);
  void Escaped(std::string_view text);

  std::string& out_;
  bool first_ = true;       // nothing written yet at the current level
  bool after_key_ = false;  // the next value is a member's
};

}  // namespace tt::api
