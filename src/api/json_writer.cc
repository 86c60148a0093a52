#include "api/json_writer.h"

#include <array>
#include <charconv>

namespace tt::api {

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
  } else if (!first_) {
    out_.push_back(',');
  }
  first_ = false;
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  out_.push_back(bracket);
  first_ = true;
}

void JsonWriter::Close(char bracket) {
  out_.push_back(bracket);
  first_ = false;
}

void JsonWriter::Key(std::string_view name) {
  BeforeValue();
  out_.push_back('"');
  out_.append(name);
  out_.append("\":", 2);
  after_key_ = true;
}

void JsonWriter::String(std::string_view text) {
  BeforeValue();
  Escaped(text);
}

namespace {

// Which bytes a JSON string must escape: '"', '\\' and the control characters below 0x20.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int byte = 0; byte < 0x20; ++byte) table[byte] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

}  // namespace

void JsonWriter::Escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_.push_back('"');
  // Copies runs of bytes that need no escape in one append.
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[byte]) continue;
    out_.append(text.data() + run, i - run);
    run = i + 1;
    switch (byte) {
      case '"':
        out_.append("\\\"");
        break;
      case '\\':
        out_.append("\\\\");
        break;
      case '\n':
        out_.append("\\n");
        break;
      case '\r':
        out_.append("\\r");
        break;
      case '\t':
        out_.append("\\t");
        break;
      case '\b':
        out_.append("\\b");
        break;
      case '\f':
        out_.append("\\f");
        break;
      default: {
        const char escape[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
        out_.append(escape, sizeof escape);
      }
    }
  }
  out_.append(text.data() + run, text.size() - run);
  out_.push_back('"');
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out_.append(digits, result.ptr);
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
}

void JsonWriter::RawValue(std::string_view json) {
  BeforeValue();
  out_.append(json);
}

void JsonWriter::OptionalString(const std::optional<std::string>& text) {
  if (text.has_value()) {
    String(*text);
  } else {
    Null();
  }
}

void JsonWriter::Date(const tt::Date& date) {
  TimeTextBuffer buffer;
  BeforeValue();
  out_.push_back('"');
  out_.append(FormatDate(date, buffer));
  out_.push_back('"');
}

void JsonWriter::Timestamp(tt::Timestamp instant) {
  TimeTextBuffer buffer;
  BeforeValue();
  out_.push_back('"');
  out_.append(FormatUtc(instant, buffer));
  out_.push_back('"');
}

}  // namespace tt::api
