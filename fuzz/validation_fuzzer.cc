// Field validation and case folding (src/domain/validation.h, case_folding.h) on arbitrary
// bytes: nothing crashes, CodePointCount agrees with an independent UTF-8 decoder, and
// FoldCase is idempotent and keeps valid UTF-8 valid, code point for code point.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/case_folding.h"
#include "domain/validation.h"
#include "fuzz/fuzz_check.h"

namespace {

using tt::FieldErrors;
using tt::fuzz::Escape;

// Reference UTF-8 check after the table of well-formed byte sequences in RFC 3629 §4 (written
// differently on purpose: byte ranges, not decoded values).
std::optional<size_t> ReferenceCodePointCount(std::string_view text) {
  size_t count = 0;
  size_t i = 0;
  const auto at = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const auto in = [](unsigned char c, unsigned char low, unsigned char high) {
    return c >= low && c <= high;
  };
  while (i < text.size()) {
    const unsigned char b0 = at(i);
    size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;  // the range of the second byte
    if (b0 <= 0x7F) {
      length = 1;
    } else if (in(b0, 0xC2, 0xDF)) {
      length = 2;
    } else if (b0 == 0xE0) {
      length = 3, low = 0xA0;
    } else if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) {
      length = 3;
    } else if (b0 == 0xED) {
      length = 3, high = 0x9F;
    } else if (b0 == 0xF0) {
      length = 4, low = 0x90;
    } else if (in(b0, 0xF1, 0xF3)) {
      length = 4;
    } else if (b0 == 0xF4) {
      length = 4, high = 0x8F;
    } else {
      return std::nullopt;
    }
    if (i + length > text.size()) return std::nullopt;
    if (length > 1 && !in(at(i + 1), low, high)) return std::nullopt;
    for (size_t k = 2; k < length; ++k) {
      if (!in(at(i + k), 0x80, 0xBF)) return std::nullopt;
    }
    i += length;
    ++count;
  }
  return count;
}

bool IsAscii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

bool IsUsernameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

bool StartsWithIgnoringAsciiCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

void CheckText(std::string_view text) {
  const std::optional<size_t> count = tt::CodePointCount(text);
  TT_FUZZ_CHECK_MSG(count == ReferenceCodePointCount(text), Escape(text));

  const std::string folded = tt::FoldCase(text);
  TT_FUZZ_CHECK_MSG(tt::FoldCase(folded) == folded, Escape(text) + " -> " + Escape(folded));
  if (count) {
    TT_FUZZ_CHECK_MSG(tt::CodePointCount(folded) == count, Escape(text) + " -> " + Escape(folded));
  }
  if (IsAscii(text)) TT_FUZZ_CHECK(folded == tt::UsernameKey(text));
  TT_FUZZ_CHECK(tt::UsernameKey(tt::UsernameKey(text)) == tt::UsernameKey(text));

  FieldErrors username;
  tt::CheckUsername("username", text, username);
  bool username_ok = text.size() >= 3 && text.size() <= 32;
  for (const char c : text) username_ok = username_ok && IsUsernameChar(c);
  TT_FUZZ_CHECK_MSG(username.empty() == username_ok, Escape(text));

  FieldErrors password;
  tt::CheckPassword("password", text, password);
  TT_FUZZ_CHECK(password.empty() == (count && *count >= 8 && *count <= 256));

  FieldErrors email;
  tt::CheckEmail("email", text, email);
  if (email.empty()) {
    TT_FUZZ_CHECK(count.has_value() && text.size() <= 254);
    const size_t at = text.find('@');
    TT_FUZZ_CHECK(at != std::string_view::npos && at > 0 && at + 1 < text.size());
  }

  FieldErrors url;
  tt::CheckHttpUrl("url", text, url);
  if (url.empty()) {
    TT_FUZZ_CHECK(count.has_value() && text.size() <= 2048);
    TT_FUZZ_CHECK_MSG(StartsWithIgnoringAsciiCase(text, "http://") ||
                          StartsWithIgnoringAsciiCase(text, "https://"),
                      Escape(text));
  }
  // Each check reports under its own field name, once.
  for (const FieldErrors* errors : {&username, &password, &email, &url}) {
    TT_FUZZ_CHECK(errors->empty() || errors->ToError().fields.size() == 1);
  }
}

void CheckLengths(FuzzedDataProvider& provider) {
  const size_t min = provider.ConsumeIntegralInRange<size_t>(0, 300);
  const size_t max = provider.ConsumeIntegralInRange<size_t>(min, 600);
  const std::string text = provider.ConsumeRemainingBytesAsString();
  FieldErrors errors;
  tt::CheckLength("field", text, min, max, errors);
  const std::optional<size_t> count = tt::CodePointCount(text);
  TT_FUZZ_CHECK(errors.empty() == (count && *count >= min && *count <= max));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckText(tt::fuzz::AsText(data, size));
  FuzzedDataProvider provider(data, size);
  CheckLengths(provider);
  return 0;
}
