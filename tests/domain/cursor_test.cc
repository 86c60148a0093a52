#include "domain/cursor.h"

#include <gtest/gtest.h>

namespace tt {
namespace {

using Parts = std::vector<std::string>;

TEST(Base64Url, EncodesPerRfc4648WithoutPadding) {
  // The RFC 4648 §10 test vectors, with the padding removed.
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
  // The URL-safe alphabet: '-' and '_' instead of '+' and '/'.
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RoundTripsEveryByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t length = 0; length <= bytes.size(); length += 7) {
    const std::string prefix = bytes.substr(0, length);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(prefix)), prefix) << length;
  }
}

TEST(Base64Url, RejectsPaddingAndForeignCharacters) {
  EXPECT_FALSE(Base64UrlDecode("Zg=="));
  EXPECT_FALSE(Base64UrlDecode("Zm8="));
  EXPECT_FALSE(Base64UrlDecode("+/8"));  // standard alphabet
  EXPECT_FALSE(Base64UrlDecode("Zm 9v"));
  EXPECT_FALSE(Base64UrlDecode("Zm9v\n"));
  EXPECT_FALSE(Base64UrlDecode("Zm9vY"));  // a length no encoding has
}

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
  EXPECT_EQ(Base64UrlDecode("Zg"), "f");
  EXPECT_FALSE(Base64UrlDecode("Zh"));  // same byte, stray low bits set
  EXPECT_EQ(Base64UrlDecode("Zm8"), "fo");
  EXPECT_FALSE(Base64UrlDecode("Zm9"));
}

TEST(Cursor, RoundTripsItsParts) {
  const Parts parts = {"2026-06-13", "3f2504e0-4f89-41d3-9a0c-0305e82c3301"};
  EXPECT_EQ(DecodeCursor(EncodeCursor(parts), 2), parts);
}

TEST(Cursor, RoundTripsPartsContainingAnyBytes) {
  const Parts parts = {"", "a:b", "12:", std::string("\0\xff", 2), "ü🏃", "3:abc"};
  EXPECT_EQ(DecodeCursor(EncodeCursor(parts), parts.size()), parts);
}

TEST(Cursor, PartsCannotBleedIntoEachOther) {
  EXPECT_NE(EncodeCursor({"a:b", "c"}), EncodeCursor({"a", "b:c"}));
  EXPECT_NE(EncodeCursor({"ab", ""}), EncodeCursor({"a", "b"}));
}

TEST(Cursor, IsUrlSafeText) {
  const std::string cursor = EncodeCursor({"Müller", "?/+=&", "x"});
  EXPECT_EQ(
      cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

TEST(Cursor, RejectsTheWrongNumberOfParts) {
  const std::string cursor = EncodeCursor({"a", "b"});
  EXPECT_FALSE(DecodeCursor(cursor, 1));
  EXPECT_FALSE(DecodeCursor(cursor, 3));
  EXPECT_TRUE(DecodeCursor(cursor, 2));
}

TEST(Cursor, RejectsTamperedOrTruncatedCursors) {
  const std::string cursor = EncodeCursor({"2026-06-13", "some-id"});
  EXPECT_FALSE(DecodeCursor(cursor.substr(0, cursor.size() - 1), 2));
  EXPECT_FALSE(DecodeCursor(cursor.substr(0, cursor.size() - 4), 2));
  EXPECT_FALSE(DecodeCursor(cursor + "A", 2));
  EXPECT_FALSE(DecodeCursor(cursor + "=", 2));
  EXPECT_FALSE(DecodeCursor("", 2));
  EXPECT_FALSE(DecodeCursor("not a cursor!", 2));
}

TEST(Cursor, RejectsClientMadeTextThatIsNotAnEncoding) {
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("2026-06-13|id"), 2));
  EXPECT_EQ(DecodeCursor(Base64UrlEncode("1:a1:b"), 2), (Parts{"a", "b"}));  // the real format
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("01:a1:b"), 2));                 // leading zero
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("1:a5:b"), 2));                  // length overruns
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("1:a1:bc"), 2));                 // trailing byte
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("1:a:1:b"), 2));
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("-1:a1:b"), 2));
  EXPECT_FALSE(DecodeCursor(Base64UrlEncode("99999999999999999999:a"), 1));
}

}  // namespace
}  // namespace tt
