#include "domain/case_folding.h"

#include <cstdint>

namespace tt {
namespace {

char32_t FoldCodePoint(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x130) return 'i';
  if (c == 0x178) return 0xFF;
  auto even_to_odd = [c](char32_t first, char32_t last) {
    return c >= first && c <= last && (c - first) % 2 == 0;
  };
  if (even_to_odd(0x100, 0x12F) || even_to_odd(0x132, 0x137) || even_to_odd(0x139, 0x147) ||
      even_to_odd(0x14A, 0x177) || even_to_odd(0x179, 0x17D) || even_to_odd(0x218, 0x21B) ||
      even_to_odd(0x1E00, 0x1E94) || even_to_odd(0x1EA0, 0x1EFE)) {
    return c + 1;
  }
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c == 0x3C2) return 0x3C3;  // final sigma folds to sigma
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  return c;
}

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

}  // namespace

std::string FoldCase(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      out += static_cast<char>(FoldCodePoint(lead));
      ++i;
      continue;
    }
    // Only two-byte sequences hold letters this folds (below U+0800) or Vietnamese (three
    // bytes, U+1Exx); decode those, copy anything else unchanged.
    size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (length == 1 || i + length > text.size()) {
      out += text[i++];
      continue;
    }
    char32_t c = lead & (0xFF >> (length + 1));
    bool valid = true;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) valid = false;
      c = (c << 6) | (next & 0x3F);
    }
    if (!valid) {
      out += text[i++];
      continue;
    }
    AppendUtf8(FoldCodePoint(c), out);
    i += length;
  }
  return out;
}

}  // namespace tt
