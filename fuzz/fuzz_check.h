// Invariant checks for the fuzz targets. A failed check prints what broke and aborts, which
// libFuzzer reports as a crash (and saves the input for); a plain assert() would vanish in the
// RelWithDebInfo build the fuzzers are made in.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace tt::fuzz {

// `bytes` with everything but printable ASCII written as \xNN, for messages.
inline std::string Escape(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

[[noreturn]] inline void Fail(const char* file, int line, const char* condition,
                              const std::string& detail) {
  std::fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, condition);
  if (!detail.empty()) std::fprintf(stderr, "  %s\n", detail.c_str());
  std::abort();
}

// The input as text; the fuzzers treat it as bytes, not as a C string.
inline std::string_view AsText(const unsigned char* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace tt::fuzz

// Checks `condition`; `detail` (any expression convertible to std::string) is evaluated only on
// failure.
#define TT_FUZZ_CHECK_MSG(condition, detail)                                      \
  do {                                                                            \
    if (!(condition)) ::tt::fuzz::Fail(__FILE__, __LINE__, #condition, (detail)); \
  } while (false)
#define TT_FUZZ_CHECK(condition) TT_FUZZ_CHECK_MSG(condition, std::string())
