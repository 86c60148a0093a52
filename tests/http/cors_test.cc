#include "http/cors.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tt::http {
namespace {

// The value of header `name` in `response`, or "" when absent; fails when it appears twice.
std::string HeaderOf(const api::Response& response, std::string_view name) {
  std::string value;
  int seen = 0;
  for (const auto& [header, header_value] : response.headers) {
    if (header == name) {
      value = header_value;
      ++seen;
    }
  }
  EXPECT_LE(seen, 1) << name;
  return value;
}

bool HasAccessControlHeader(const api::Response& response) {
  for (const auto& [header, value] : response.headers) {
    if (header.starts_with("Access-Control-")) return true;
  }
  return false;
}

CorsPolicy PolicyOf(std::string_view setting) {
  Result<CorsPolicy> policy = CorsPolicy::Parse(setting);
  EXPECT_TRUE(policy.ok()) << setting;
  return policy.ok() ? *policy : CorsPolicy();
}

TEST(Cors, SerializedOriginsAreSchemeHostAndPortOnly) {
  for (const char* origin :
       {"https://app.example", "http://127.0.0.1:8080", "http://localhost:3000",
        "https://xn--bcher-kva.example", "http://[::1]:5173", "app+x.y-z://host", "http://h:1",
        "http://h:65535"}) {
    EXPECT_TRUE(IsSerializedOrigin(origin)) << origin;
  }
  for (const char* origin :
       {"", "null", "app.example", "https://", "https://app.example/", "https://app.example/x",
        "https://app.example?q", "https://App.example", "HTTPS://app.example",
        "https://user@app.example", "https://app.example:", "https://app.example:0080",
        "https://app.example:65536", "https://app.example:80a", "1http://app.example",
        "http://[::1", "http://[zz]", "https://app example", "https://app.example#f"}) {
    EXPECT_FALSE(IsSerializedOrigin(origin)) << origin;
  }
}

TEST(Cors, ParseTakesAListOfOriginsOrAStarAndRefusesAnythingElse) {
  EXPECT_FALSE(PolicyOf("").enabled());
  EXPECT_FALSE(PolicyOf("  ").enabled());
  const CorsPolicy list = PolicyOf("https://a.example, http://127.0.0.1:8080");
  EXPECT_TRUE(list.Allows("https://a.example"));
  EXPECT_TRUE(list.Allows("http://127.0.0.1:8080"));
  EXPECT_FALSE(list.Allows("http://127.0.0.1:8081"));
  EXPECT_FALSE(list.Allows("https://a.example.evil"));
  EXPECT_FALSE(list.Allows(""));

  const CorsPolicy any = PolicyOf("*");
  EXPECT_TRUE(any.Allows("https://anything.example"));
  EXPECT_FALSE(any.Allows("null")) << "an opaque origin (a sandbox, a file) is never allowed";
  EXPECT_FALSE(any.Allows("https://a.example/path"));

  for (const char* bad : {"https://a.example/", "a.example", "https://a.example,", "*,https://b"}) {
    Result<CorsPolicy> policy = CorsPolicy::Parse(bad);
    ASSERT_FALSE(policy.ok()) << bad;
    EXPECT_NE(policy.error().message.find("--cors-origins"), std::string::npos);
  }
}

TEST(Cors, AllowedOriginsGetTheOriginBackAndExposedHeaders) {
  const CorsPolicy policy = PolicyOf("https://app.example");
  api::Response response;
  response.status = 404;
  policy.AddResponseHeaders("https://app.example", response);
  EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(HeaderOf(response, "Vary"), "Origin");
  EXPECT_EQ(HeaderOf(response, "Access-Control-Expose-Headers"),
            "ETag, Location, Retry-After, X-Request-Id");
  EXPECT_EQ(HeaderOf(response, "Access-Control-Allow-Credentials"), "");
}

TEST(Cors, OtherOriginsGetNoCorsHeadersAndNoPolicyAddsNothing) {
  const CorsPolicy policy = PolicyOf("https://app.example");
  for (const char* origin : {"https://evil.example", "", "null", "https://app.example/"}) {
    api::Response response;
    policy.AddResponseHeaders(origin, response);
    EXPECT_FALSE(HasAccessControlHeader(response)) << origin;
    EXPECT_EQ(HeaderOf(response, "Vary"), "Origin") << "caches must not mix the two answers";
  }
  api::Response untouched;
  CorsPolicy().AddResponseHeaders("https://app.example", untouched);
  EXPECT_TRUE(untouched.headers.empty());
}

TEST(Cors, PreflightListsTheRoutesMethodsForAllowedOriginsAndIsForbiddenOtherwise) {
  const CorsPolicy policy = PolicyOf("https://app.example");
  const api::Response allowed =
      policy.PreflightResponse("https://app.example", {"DELETE", "GET", "PATCH"});
  EXPECT_EQ(allowed.status, 204);
  EXPECT_EQ(HeaderOf(allowed, "Access-Control-Allow-Methods"), "DELETE, GET, PATCH");
  EXPECT_EQ(HeaderOf(allowed, "Access-Control-Allow-Headers"),
            "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id");
  EXPECT_EQ(HeaderOf(allowed, "Access-Control-Max-Age"), "7200");

  const api::Response refused = policy.PreflightResponse("https://evil.example", {"GET"});
  EXPECT_EQ(refused.status, 403);
  EXPECT_FALSE(HasAccessControlHeader(refused));
  EXPECT_EQ(CorsPolicy().PreflightResponse("https://app.example", {"GET"}).status, 403);
}

}  // namespace
}  // namespace tt::http
