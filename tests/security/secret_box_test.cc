#include "security/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "security/tokens.h"
#include "support/temp_dir.h"

namespace tt {
namespace {

SecretBox::Key KeyOf(unsigned char fill) {
  SecretBox::Key key;
  key.fill(fill);
  return key;
}

TEST(SecretBox, WhatIsSealedOpensOnlyUnderTheSameKeyAndUnchanged) {
  SodiumRandom random;
  const SecretBox box(KeyOf(1));
  const std::string sealed = box.Seal("whsec_abc", random);
  EXPECT_TRUE(sealed.starts_with("sb1:"));
  EXPECT_EQ(sealed.find("whsec_abc"), std::string::npos);
  EXPECT_EQ(box.Open(sealed), "whsec_abc");
  EXPECT_NE(box.Seal("whsec_abc", random), sealed) << "a fresh nonce each time";

  EXPECT_EQ(SecretBox(KeyOf(2)).Open(sealed), std::nullopt);
  std::string changed = sealed;
  changed[10] = changed[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(box.Open(changed), std::nullopt);
  EXPECT_EQ(box.Open("sb1:"), std::nullopt);
  EXPECT_EQ(box.Open("whsec_abc"), std::nullopt);
}

TEST(SecretBox, AKeyFileIsCreatedPrivateOnceAndReadBack) {
  ::tt::testing::TempDir dir;
  SodiumRandom random;
  const std::filesystem::path path = dir.path() / "keys" / "webhook.key";
  EXPECT_FALSE(SecretBox::FromKeyFile(path, /*create=*/false, random).ok());
  Result<SecretBox> created = SecretBox::FromKeyFile(path, /*create=*/true, random);
  ASSERT_TRUE(created.ok()) << created.error().message;
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  const std::string sealed = created->Seal("secret", random);
  Result<SecretBox> read = SecretBox::FromKeyFile(path, /*create=*/true, random);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->Open(sealed), "secret") << "the same key, not a new one";

  std::ofstream(path) << "not a key\n";
  Result<SecretBox> broken = SecretBox::FromKeyFile(path, /*create=*/true, random);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().message.find("not a key"), std::string::npos);
}

TEST(SecretBox, ServersCreatingOneKeyFileAtOnceAllGetTheSameKey) {
  ::tt::testing::TempDir dir;
  const std::filesystem::path path = dir.path() / "webhook.key";
  constexpr int kCreators = 8;
  std::vector<std::optional<SecretBox>> boxes(kCreators);
  std::vector<std::thread> creators;
  for (int i = 0; i < kCreators; ++i) {
    creators.emplace_back([&, i] {
      SodiumRandom random;
      Result<SecretBox> box = SecretBox::FromKeyFile(path, /*create=*/true, random);
      if (box.ok()) boxes[i].emplace(*box);
    });
  }
  for (std::thread& creator : creators) creator.join();
  SodiumRandom random;
  ASSERT_TRUE(boxes[0].has_value());
  const std::string sealed = boxes[0]->Seal("secret", random);
  for (int i = 0; i < kCreators; ++i) {
    ASSERT_TRUE(boxes[i].has_value()) << i;
    EXPECT_EQ(boxes[i]->Open(sealed), "secret") << "creator " << i << " has another key";
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1)
      << "no staged file is left behind";
}

}  // namespace
}  // namespace tt
