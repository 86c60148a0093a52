#include "domain/validation.h"

#include <cstdint>

namespace tt {
namespace {

// True for ASCII whitespace and control characters (C0 and DEL), which never belong in an
// address or a URL.
bool IsSpaceOrControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7f;
}

bool IsUsernameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace

void FieldErrors::Add(std::string_view field, std::string message) {
  fields_.emplace(std::string(field), std::move(message));  // no-op when already reported
}

Status FieldErrors::ToStatus() const {
  if (empty()) return Status::Ok();
  return ToError();
}

std::optional<size_t> CodePointCount(std::string_view text) {
  size_t count = 0;
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code_point = 0;
    uint32_t min_code_point = 0;  // smallest value for this length: anything less is overlong
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xe0) == 0xc0) {
      length = 2;
      code_point = lead & 0x1f;
      min_code_point = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      code_point = lead & 0x0f;
      min_code_point = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      code_point = lead & 0x07;
      min_code_point = 0x10000;
    } else {
      return std::nullopt;  // a continuation byte or 0xf8..0xff where a sequence must start
    }
    if (i + length > text.size()) return std::nullopt;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return std::nullopt;
      code_point = (code_point << 6) | (next & 0x3f);
    }
    if (code_point < min_code_point || code_point > 0x10ffff ||
        (code_point >= 0xd800 && code_point <= 0xdfff)) {
      return std::nullopt;
    }
    i += length;
    ++count;
  }
  return count;
}

void CheckLength(std::string_view field, std::string_view text, size_t min, size_t max,
                 FieldErrors& errors) {
  const auto count = CodePointCount(text);
  if (!count) {
    errors.Add(field, "must be valid UTF-8");
    return;
  }
  if (*count >= min && *count <= max) return;
  if (*count == 0) {
    errors.Add(field, "must not be empty");
  } else if (min == 0) {
    errors.Add(field, "must be at most " + std::to_string(max) + " characters");
  } else {
    errors.Add(field, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                          " characters");
  }
}

void CheckUsername(std::string_view field, std::string_view username, FieldErrors& errors) {
  bool ok = username.size() >= 3 && username.size() <= 32;
  for (const char c : username) ok = ok && IsUsernameChar(c);
  if (!ok) errors.Add(field, "must be 3 to 32 characters of A-Z, a-z, 0-9, '_', '.' and '-'");
}

void CheckPassword(std::string_view field, std::string_view password, FieldErrors& errors) {
  CheckLength(field, password, 8, 256, errors);
}

void CheckEmail(std::string_view field, std::string_view email, FieldErrors& errors) {
  const size_t at = email.find('@');
  bool ok = email.size() <= 254 && at != std::string_view::npos && at > 0 &&
            at + 1 < email.size() && email.find('@', at + 1) == std::string_view::npos &&
            CodePointCount(email).has_value();
  for (const char c : email) ok = ok && !IsSpaceOrControl(c);
  if (!ok) errors.Add(field, "must be an email address such as name@example.com");
}

void CheckHttpUrl(std::string_view field, std::string_view url, FieldErrors& errors) {
  const auto fail = [&] { errors.Add(field, "must be an http:// or https:// URL with a host"); };
  if (url.size() > 2048 || !CodePointCount(url)) return fail();
  for (const char c : url) {
    if (IsSpaceOrControl(c)) return fail();
  }
  const size_t separator = url.find("://");
  if (separator == std::string_view::npos) return fail();
  const std::string_view scheme = url.substr(0, separator);
  if (!EqualsIgnoringAsciiCase(scheme, "http") && !EqualsIgnoringAsciiCase(scheme, "https")) {
    return fail();
  }
  std::string_view authority = url.substr(separator + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  // The host follows any userinfo and precedes any port.
  const size_t at = authority.rfind('@');
  std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos || close == 1) return fail();
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return fail();
    return;
  }
  host = host.substr(0, host.find(':'));
  if (host.empty()) return fail();
}

std::string UsernameKey(std::string_view username) {
  std::string key(username);
  for (char& c : key) c = AsciiLower(c);
  return key;
}

}  // namespace tt
