#include "webhooks/url_policy.h"

#include <gtest/gtest.h>

#include <string>

namespace tt::webhooks {
namespace {

TEST(WebhookUrlPolicy, PublicHttpsUrlsPass) {
  for (const char* url : {"https://hooks.example.com/track", "https://hooks.example.com:8443/a?b=c",
                          "https://93.184.216.34/hook", "https://[2606:4700:4700::1111]/hook"}) {
    EXPECT_EQ(WebhookUrlProblem(url, false), std::nullopt) << url;
  }
}

TEST(WebhookUrlPolicy, PlainHttpAndLocalOrPrivateHostsAreRefused) {
  for (const char* url :
       {"http://hooks.example.com/", "https://localhost/", "https://LOCALHOST./x",
        "https://api.localhost/", "https://127.0.0.1/", "https://10.0.0.8:8080/",
        "https://169.254.169.254/latest/meta-data", "https://[::1]/", "https://[fd00::1]/",
        "https://[::ffff:192.168.0.1]/", "https://0.0.0.0/"}) {
    EXPECT_NE(WebhookUrlProblem(url, false), std::nullopt) << url;
  }
}

TEST(WebhookUrlPolicy, MalformedUrlsAreRefusedEvenWhenPrivateIsAllowed) {
  for (const char* url : {"", "hooks.example.com/x", "https://", "ftp://example.com/",
                          "https://user:pass@example.com/", "https://example.com/#frag",
                          "https:///path", "not a url"}) {
    EXPECT_NE(WebhookUrlProblem(url, true), std::nullopt) << url;
  }
  EXPECT_NE(WebhookUrlProblem("https://example.com/" + std::string(2048, 'a'), true), std::nullopt);
}

TEST(WebhookUrlPolicy, AllowingPrivateAllowsHttpAndLocalHosts) {
  for (const char* url : {"http://127.0.0.1:9000/hook", "http://localhost/", "https://10.1.2.3/"}) {
    EXPECT_EQ(WebhookUrlProblem(url, true), std::nullopt) << url;
  }
}

}  // namespace
}  // namespace tt::webhooks
