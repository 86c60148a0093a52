#include "domain/validation.h"

#include <gtest/gtest.h>

namespace tt {
namespace {

std::string Repeat(std::string_view unit, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += unit;
  return out;
}

// The message reported for `field`, or "" when there is none.
std::string MessageFor(const FieldErrors& errors, const std::string& field) {
  if (errors.empty()) return "";
  const auto& fields = errors.ToError().fields;
  const auto it = fields.find(field);
  return it == fields.end() ? "" : it->second;
}

template <typename Check>
bool Passes(Check check, std::string_view value) {
  FieldErrors errors;
  check("f", value, errors);
  return errors.empty();
}

TEST(FieldErrors, KeepsTheFirstProblemOfAFieldAndEveryField) {
  FieldErrors errors;
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(errors.ToStatus().ok());
  errors.Add("name", "first");
  errors.Add("name", "second");
  errors.Add("url", "bad");
  EXPECT_TRUE(errors.Has("name"));
  EXPECT_FALSE(errors.Has("location"));
  const Status status = errors.ToStatus();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kValidationFailed);
  EXPECT_EQ(status.error().fields,
            (std::map<std::string, std::string>{{"name", "first"}, {"url", "bad"}}));
}

TEST(CodePointCount, CountsCodePointsNotBytes) {
  EXPECT_EQ(CodePointCount(""), 0u);
  EXPECT_EQ(CodePointCount("abc"), 3u);
  EXPECT_EQ(CodePointCount("é"), 1u);                 // 2 bytes
  EXPECT_EQ(CodePointCount("€"), 1u);                 // 3 bytes
  EXPECT_EQ(CodePointCount("🏃"), 1u);                 // 4 bytes
  EXPECT_EQ(CodePointCount("e\xcc\x81"), 2u);         // e + combining acute: two code points
  EXPECT_EQ(CodePointCount("\xf4\x8f\xbf\xbf"), 1u);  // U+10FFFF, the last one
}

TEST(CodePointCount, RejectsInvalidUtf8) {
  for (const std::string_view text : {
           std::string_view("\x80"),              // lone continuation byte
           std::string_view("\xc3"),              // truncated sequence
           std::string_view("\xc3\x28"),          // bad continuation
           std::string_view("\xc0\xaf"),          // overlong '/'
           std::string_view("\xe0\x80\xaf"),      // overlong '/' in three bytes
           std::string_view("\xf0\x82\x82\xac"),  // overlong euro sign
           std::string_view("\xed\xa0\x80"),      // UTF-16 surrogate U+D800
           std::string_view("\xf4\x90\x80\x80"),  // U+110000, beyond Unicode
           std::string_view("\xf8\x88\x80\x80\x80"),
           std::string_view("\xff"),
       }) {
    EXPECT_FALSE(CodePointCount(text)) << testing::PrintToString(text);
  }
}

TEST(CheckLength, CountsCodePoints) {
  FieldErrors errors;
  CheckLength("name", Repeat("é", 200), 1, 200, errors);
  CheckLength("emoji", Repeat("🏃", 200), 1, 200, errors);
  EXPECT_TRUE(errors.empty());
  CheckLength("name", Repeat("é", 201), 1, 200, errors);
  CheckLength("emoji", Repeat("🏃", 201), 1, 200, errors);
  EXPECT_EQ(MessageFor(errors, "name"), "must be between 1 and 200 characters");
  EXPECT_EQ(MessageFor(errors, "emoji"), "must be between 1 and 200 characters");
}

TEST(CheckLength, SaysWhatIsWrong) {
  FieldErrors errors;
  CheckLength("empty", "", 1, 200, errors);
  CheckLength("long_optional", Repeat("a", 2001), 0, 2000, errors);
  CheckLength("short", "ab", 3, 32, errors);
  CheckLength("binary", "\xff", 0, 10, errors);
  EXPECT_EQ(MessageFor(errors, "empty"), "must not be empty");
  EXPECT_EQ(MessageFor(errors, "long_optional"), "must be at most 2000 characters");
  EXPECT_EQ(MessageFor(errors, "short"), "must be between 3 and 32 characters");
  EXPECT_EQ(MessageFor(errors, "binary"), "must be valid UTF-8");
}

TEST(CheckLength, AcceptsEmptyWhenMinimumIsZero) {
  FieldErrors errors;
  CheckLength("bio", "", 0, 2000, errors);
  EXPECT_TRUE(errors.empty());
}

TEST(CheckUsername, AcceptsThreeToThirtyTwoOfTheAllowedCharacters) {
  EXPECT_TRUE(Passes(CheckUsername, "abc"));
  EXPECT_TRUE(Passes(CheckUsername, "Usain_Bolt.9-3"));
  EXPECT_TRUE(Passes(CheckUsername, Repeat("x", 32)));
  EXPECT_FALSE(Passes(CheckUsername, "ab"));
  EXPECT_FALSE(Passes(CheckUsername, Repeat("x", 33)));
  EXPECT_FALSE(Passes(CheckUsername, ""));
}

TEST(CheckUsername, RejectsOtherCharacters) {
  for (const char* name : {"usain bolt", "usain@bolt", "usäin", "usain+bolt", "usain/bolt",
                           "usain\tbolt", "usain\nbolt", "üüü"}) {
    EXPECT_FALSE(Passes(CheckUsername, name)) << name;
  }
}

TEST(CheckPassword, AcceptsEightToTwoHundredFiftySixCodePoints) {
  EXPECT_TRUE(Passes(CheckPassword, "12345678"));
  EXPECT_TRUE(Passes(CheckPassword, Repeat("é", 8)));  // 16 bytes but 8 code points
  EXPECT_TRUE(Passes(CheckPassword, Repeat("🔑", 256)));
  EXPECT_FALSE(Passes(CheckPassword, "1234567"));
  EXPECT_FALSE(Passes(CheckPassword, Repeat("é", 7)));  // 14 bytes but 7 code points
  EXPECT_FALSE(Passes(CheckPassword, Repeat("🔑", 257)));
}

TEST(CheckEmail, AcceptsOneAtWithTextOnBothSides) {
  EXPECT_TRUE(Passes(CheckEmail, "runner@example.com"));
  EXPECT_TRUE(Passes(CheckEmail, "a@b"));
  EXPECT_TRUE(Passes(CheckEmail, "läufer@beispiel.de"));
  for (const char* email : {"", "runner", "@example.com", "runner@", "a@b@c", "run ner@x.com",
                            "runner@exa mple.com", "runner@x.com\n"}) {
    EXPECT_FALSE(Passes(CheckEmail, email)) << email;
  }
}

TEST(CheckEmail, RejectsMoreThan254Bytes) {
  const std::string domain = "@example.com";
  EXPECT_TRUE(Passes(CheckEmail, Repeat("a", 254 - domain.size()) + domain));
  EXPECT_FALSE(Passes(CheckEmail, Repeat("a", 255 - domain.size()) + domain));
}

TEST(CheckHttpUrl, AcceptsHttpAndHttpsWithAHost) {
  for (const char* url :
       {"http://example.com", "https://example.com/meets/2026?x=1#top", "HTTPS://EXAMPLE.COM",
        "Http://example.com:8080/path", "https://user:pw@example.com/", "http://[::1]:3000/",
        "https://例え.jp/"}) {
    EXPECT_TRUE(Passes(CheckHttpUrl, url)) << url;
  }
}

TEST(CheckHttpUrl, RejectsOtherSchemesAndMissingHosts) {
  for (const char* url :
       {"", "example.com", "ftp://example.com", "javascript:alert(1)", "mailto:a@b.c",
        "https:/example.com", "https://", "https:///path", "http://:80/", "http://user@/",
        "https://exa mple.com", "https://example.com/a b", "https://example.com/\x01",
        "httpx://example.com", "http://[::1", "//example.com"}) {
    EXPECT_FALSE(Passes(CheckHttpUrl, url)) << url;
  }
}

TEST(CheckHttpUrl, RejectsMoreThan2048Bytes) {
  const std::string prefix = "https://example.com/";
  EXPECT_TRUE(Passes(CheckHttpUrl, prefix + Repeat("a", 2048 - prefix.size())));
  EXPECT_FALSE(Passes(CheckHttpUrl, prefix + Repeat("a", 2049 - prefix.size())));
}

TEST(UsernameKey, LowercasesAscii) {
  EXPECT_EQ(UsernameKey("Usain_Bolt.9-3"), "usain_bolt.9-3");
  EXPECT_EQ(UsernameKey("usain"), UsernameKey("USAIN"));
}

}  // namespace
}  // namespace tt
