#include "domain/case_folding.h"

#include <gtest/gtest.h>

namespace tt {
namespace {

TEST(FoldCase, LowercasesAscii) {
  EXPECT_EQ(FoldCase("Mondo DUPLANTIS 6.26m"), "mondo duplantis 6.26m");
}

TEST(FoldCase, LowercasesAccentedLatinLetters) {
  EXPECT_EQ(FoldCase("ÉMILE ØRSTED"), "émile ørsted");
  EXPECT_EQ(FoldCase("ŁUKASZ ŻUREK"), "łukasz żurek");
  EXPECT_EQ(FoldCase("ȘTEFAN"), "ștefan");
  EXPECT_EQ(FoldCase("NGUYỄN"), "nguyễn");
  EXPECT_EQ(FoldCase("Straße"), "straße");
}

TEST(FoldCase, LowercasesGreekAndCyrillic) {
  EXPECT_EQ(FoldCase("ΠΕΤΡΟΣ"), "πετροσ");
  EXPECT_EQ(FoldCase("πέτρος"), "πέτροσ");  // final sigma matches sigma
  EXPECT_EQ(FoldCase("ЁЛЕНА ИСИНБАЕВА"), "ёлена исинбаева");
}

TEST(FoldCase, KeepsOtherTextAndInvalidBytes) {
  EXPECT_EQ(FoldCase("李宁 🏃"), "李宁 🏃");
  EXPECT_EQ(FoldCase(std::string("A\xff"
                                 "B")),
            std::string("a\xff"
                        "b"));
  EXPECT_EQ(FoldCase(std::string("\xc3")), std::string("\xc3"));
}

}  // namespace
}  // namespace tt
