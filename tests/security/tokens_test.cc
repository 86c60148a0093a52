#include "security/tokens.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

namespace tt {
namespace {

// Fills with a fixed byte so that tests can predict tokens.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(std::byte value) : value_(value) {}
  void Fill(std::span<std::byte> out) override {
    std::memset(out.data(), static_cast<int>(value_), out.size());
  }

 private:
  std::byte value_;
};

TEST(SessionToken, Carries32RandomBytesAsBase64Url) {
  SodiumRandom random;
  std::set<std::string> tokens;
  for (int i = 0; i < 100; ++i) {
    std::string token = NewSessionToken(random);
    EXPECT_EQ(token.size(), 43u);
    EXPECT_EQ(
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    tokens.insert(token);
  }
  EXPECT_EQ(tokens.size(), 100u);
}

TEST(SessionToken, IsMadeFromTheRandomSource) {
  FixedRandom zeros(std::byte{0});
  EXPECT_EQ(NewSessionToken(zeros), std::string(43, 'A'));
}

TEST(SessionToken, IsStoredAsItsSha256InHex) {
  // SHA-256("abc"), FIPS 180-2 appendix B.1.
  EXPECT_EQ(HashSessionToken("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(HashSessionToken("abc"), HashSessionToken("abd"));
}

}  // namespace
}  // namespace tt
