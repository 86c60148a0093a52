#include "domain/cursor.h"

#include <cstdint>

namespace tt {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Index of `c` in kAlphabet, or -1.
int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Longest decimal length prefix accepted: far more than any cursor part needs, and small enough
// that the value cannot overflow.
constexpr size_t kMaxLengthDigits = 9;

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t chunk = (static_cast<uint8_t>(bytes[i]) << 16) |
                           (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                           static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(chunk >> 18) & 63]);
    out.push_back(kAlphabet[(chunk >> 12) & 63]);
    out.push_back(kAlphabet[(chunk >> 6) & 63]);
    out.push_back(kAlphabet[chunk & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t chunk = static_cast<uint8_t>(bytes[i]) << 16;
    out.push_back(kAlphabet[(chunk >> 18) & 63]);
    out.push_back(kAlphabet[(chunk >> 12) & 63]);
  } else if (rest == 2) {
    const uint32_t chunk =
        (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out.push_back(kAlphabet[(chunk >> 18) & 63]);
    out.push_back(kAlphabet[(chunk >> 12) & 63]);
    out.push_back(kAlphabet[(chunk >> 6) & 63]);
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  // A lone trailing character carries only 6 bits, never a whole byte.
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = DecodeChar(c);
    if (value < 0) return std::nullopt;  // includes '=' padding and the standard alphabet's +/
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  // Left-over bits must be zero, so that every byte string has exactly one encoding.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

// Each part is written as `<decimal length>:<bytes>`, so parts may contain any byte, including
// the separator, without escaping.
std::string EncodeCursor(const std::vector<std::string>& parts) {
  std::string joined;
  for (const std::string& part : parts) {
    joined += std::to_string(part.size());
    joined.push_back(':');
    joined += part;
  }
  return Base64UrlEncode(joined);
}

std::optional<std::vector<std::string>> DecodeCursor(std::string_view cursor,
                                                     size_t expected_parts) {
  const auto joined = Base64UrlDecode(cursor);
  if (!joined) return std::nullopt;
  const std::string_view bytes = *joined;
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos < bytes.size()) {
    if (parts.size() == expected_parts) return std::nullopt;  // trailing garbage or extra parts
    size_t length = 0;
    size_t digits = 0;
    while (pos < bytes.size() && bytes[pos] >= '0' && bytes[pos] <= '9') {
      // Leading zeros would give a second spelling of the same cursor.
      if (digits == 1 && length == 0) return std::nullopt;
      if (++digits > kMaxLengthDigits) return std::nullopt;
      length = length * 10 + static_cast<size_t>(bytes[pos] - '0');
      ++pos;
    }
    if (digits == 0 || pos >= bytes.size() || bytes[pos] != ':') return std::nullopt;
    ++pos;
    if (length > bytes.size() - pos) return std::nullopt;
    parts.emplace_back(bytes.substr(pos, length));
    pos += length;
  }
  if (parts.size() != expected_parts) return std::nullopt;
  return parts;
}

}  // namespace tt
