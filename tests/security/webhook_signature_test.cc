#include "security/webhook_signature.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "security/tokens.h"

namespace tt {
namespace {

// The example of the Standard Webhooks specification (github.com/standard-webhooks,
// spec/standard-webhooks.md, "Signature scheme"; Apache License 2.0), checked independently with
// Python's hmac module.
TEST(WebhookSignature, MatchesTheSpecificationsExample) {
  const std::optional<std::string> key = WebhookSecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(
      SignWebhook(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, R"({"test": 2432232314})"),
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, AnyChangedPartChangesTheSignature) {
  const std::string key = *WebhookSecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  const std::string base = SignWebhook(key, "msg_1", 1614265330, "{}");
  EXPECT_NE(SignWebhook(key, "msg_2", 1614265330, "{}"), base);
  EXPECT_NE(SignWebhook(key, "msg_1", 1614265331, "{}"), base);
  EXPECT_NE(SignWebhook(key, "msg_1", 1614265330, "{ }"), base);
  const std::string other = *WebhookSecretKey("whsec_" + std::string(32, 'A'));
  EXPECT_NE(SignWebhook(other, "msg_1", 1614265330, "{}"), base);
}

TEST(WebhookSignature, NewSecretsAreWhsecAndThirtyTwoRandomBytes) {
  SodiumRandom random;
  const std::string first = NewWebhookSecret(random);
  const std::string second = NewWebhookSecret(random);
  EXPECT_TRUE(first.starts_with("whsec_"));
  EXPECT_NE(first, second);
  const std::optional<std::string> key = WebhookSecretKey(first);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), kWebhookSecretBytes);
}

TEST(WebhookSignature, SecretsOfTheWrongShapeAreRefused) {
  EXPECT_FALSE(WebhookSecretKey("whsec_").has_value());
  EXPECT_FALSE(WebhookSecretKey("whsec_not base64!").has_value());
  EXPECT_FALSE(WebhookSecretKey("whsec_" + std::string(28, 'A')).has_value()) << "21 bytes";
  EXPECT_FALSE(WebhookSecretKey("whsec_" + std::string(88, 'A')).has_value()) << "66 bytes";
  EXPECT_TRUE(WebhookSecretKey(std::string(32, 'A')).has_value()) << "the prefix is optional";
}

}  // namespace
}  // namespace tt
