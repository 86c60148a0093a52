// Small text helpers shared by the domain's own .cc files; not part of its public contract.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tt::internal {

// The value of `text` if it is the canonical decimal spelling of an int64 (what std::to_string
// produces: no '+', no leading zeros, no "-0"), so that a cursor has exactly one spelling.
inline std::optional<int64_t> ParseCanonicalInt64(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || std::to_string(value) != text) return std::nullopt;
  return value;
}

}  // namespace tt::internal
