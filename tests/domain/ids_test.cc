#include "domain/ids.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

namespace tt {
namespace {

// Fills every buffer with one repeated byte, so the output is predictable.
class ConstantRandom final : public RandomSource {
 public:
  explicit ConstantRandom(uint8_t value) : value_(value) {}
  void Fill(std::span<std::byte> out) override {
    for (std::byte& b : out) b = std::byte{value_};
  }

 private:
  uint8_t value_;
};

// Writes a call counter into the first bytes, so that successive ids differ.
class CountingRandom final : public RandomSource {
 public:
  void Fill(std::span<std::byte> out) override {
    ++calls_;
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = std::byte{static_cast<uint8_t>(i < 4 ? calls_ >> (8 * i) : 0)};
    }
  }

 private:
  uint32_t calls_ = 0;
};

TEST(NewId, IsALowercaseUuidVersion4) {
  ConstantRandom all_ones(0xff);
  EXPECT_EQ(NewId(all_ones), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  ConstantRandom all_zeros(0x00);
  EXPECT_EQ(NewId(all_zeros), "00000000-0000-4000-8000-000000000000");
}

TEST(NewId, UsesTheRandomBytes) {
  CountingRandom random;
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewId(random);
    EXPECT_TRUE(IsValidId(id)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST(IsValidId, AcceptsLowercaseVersion4) {
  EXPECT_TRUE(IsValidId("3f2504e0-4f89-41d3-9a0c-0305e82c3301"));
  EXPECT_TRUE(IsValidId("3f2504e0-4f89-41d3-8a0c-0305e82c3301"));
  EXPECT_TRUE(IsValidId("3f2504e0-4f89-41d3-aa0c-0305e82c3301"));
  EXPECT_TRUE(IsValidId("3f2504e0-4f89-41d3-ba0c-0305e82c3301"));
}

TEST(IsValidId, RejectsEverythingElse) {
  for (const char* text : {
           "",
           "3F2504E0-4F89-41D3-9A0C-0305E82C3301",    // uppercase
           "3f2504e0-4f89-11d3-9a0c-0305e82c3301",    // version 1
           "3f2504e0-4f89-41d3-ca0c-0305e82c3301",    // variant 110x
           "3f2504e0-4f89-41d3-7a0c-0305e82c3301",    // variant 0xxx
           "3f2504e04f8941d39a0c0305e82c3301",        // no dashes
           "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}",  // braces
           "3f2504e0-4f89-41d3-9a0c-0305e82c330",     // short
           "3f2504e0-4f89-41d3-9a0c-0305e82c33011",   // long
           "3f2504e0-4f89-41d3-9a0c-0305e82c330g",    // not hex
           "3f2504e0-4f8941d3--9a0c-0305e82c3301",    // dash moved
       }) {
    EXPECT_FALSE(IsValidId(text)) << text;
  }
}

}  // namespace
}  // namespace tt
