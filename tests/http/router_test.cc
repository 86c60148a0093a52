#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tt::http {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

api::Route MakeRoute(std::string method, std::string path_template) {
  return api::Route{std::move(method), std::move(path_template), api::Access::kPublic, {}};
}

// The template of the route `match` found, or "" when none.
std::string Template(const Router::Match& match) {
  return match.route == nullptr ? "" : match.route->path_template;
}

Router MakeApiLikeRouter() {
  return Router({
      MakeRoute("GET", "/"),
      MakeRoute("GET", "/users/{id}"),
      MakeRoute("PATCH", "/users/{id}"),
      MakeRoute("GET", "/users/me"),
      MakeRoute("PUT", "/users/{id}/following/{athlete_id}"),
      MakeRoute("DELETE", "/users/{id}/following/{athlete_id}"),
      MakeRoute("GET", "/competitions/{id}"),
      MakeRoute("POST", "/competitions/batch-get"),
      MakeRoute("GET", "/competitions"),
      MakeRoute("POST", "/competitions"),
  });
}

TEST(Router, MatchesLiteralTemplate) {
  Router router = MakeApiLikeRouter();
  Router::Match match = router.Find("GET", "/competitions");
  EXPECT_EQ(Template(match), "/competitions");
  EXPECT_THAT(match.path_params, IsEmpty());
  EXPECT_THAT(match.allowed_methods, IsEmpty());
}

TEST(Router, ChoosesTheRouteOfTheRequestedMethod) {
  Router router = MakeApiLikeRouter();
  Router::Match match = router.Find("POST", "/competitions");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->method, "POST");
}

TEST(Router, CapturesEachParameterByName) {
  Router router = MakeApiLikeRouter();
  Router::Match match = router.Find("PUT", "/users/u-1/following/a-2");
  EXPECT_EQ(Template(match), "/users/{id}/following/{athlete_id}");
  EXPECT_THAT(match.path_params, ElementsAre(Pair("id", "u-1"), Pair("athlete_id", "a-2")));
}

TEST(Router, LiteralSegmentWinsOverParameterWhateverTheRouteOrder) {
  Router router = MakeApiLikeRouter();  // "/users/{id}" is listed before "/users/me"
  Router::Match me = router.Find("GET", "/users/me");
  EXPECT_EQ(Template(me), "/users/me");
  EXPECT_THAT(me.path_params, IsEmpty());
  EXPECT_EQ(Template(router.Find("GET", "/users/someone")), "/users/{id}");
}

TEST(Router, ParameterTemplateServesMethodsTheLiteralOneLacks) {
  Router router = MakeApiLikeRouter();
  Router::Match match = router.Find("PATCH", "/users/me");
  EXPECT_EQ(Template(match), "/users/{id}");
  EXPECT_THAT(match.path_params, ElementsAre(Pair("id", "me")));
}

TEST(Router, LiteralBatchGetIsNotTakenForAnId) {
  Router router = MakeApiLikeRouter();
  EXPECT_EQ(Template(router.Find("POST", "/competitions/batch-get")), "/competitions/batch-get");
  EXPECT_EQ(Template(router.Find("GET", "/competitions/batch-get")), "/competitions/{id}");
}

TEST(Router, EarlierLiteralSegmentDecidesBetweenPartlyLiteralTemplates) {
  Router router({MakeRoute("GET", "/a/{x}/c"), MakeRoute("GET", "/{x}/b/c")});
  EXPECT_EQ(Template(router.Find("GET", "/a/b/c")), "/a/{x}/c");
}

TEST(Router, RequiresTheExactSegmentCount) {
  Router router = MakeApiLikeRouter();
  EXPECT_EQ(router.Find("GET", "/users").route, nullptr);
  EXPECT_EQ(router.Find("GET", "/users/u-1/following/a-2/extra").route, nullptr);
  EXPECT_EQ(router.Find("PUT", "/users/u-1/following").route, nullptr);
}

TEST(Router, TrailingSlashDoesNotMatch) {
  Router router = MakeApiLikeRouter();
  Router::Match match = router.Find("GET", "/competitions/");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_THAT(match.allowed_methods, IsEmpty());
  EXPECT_EQ(router.Find("GET", "/users/u-1/").route, nullptr);
}

TEST(Router, RootPathMatchesOnlyTheRootTemplate) {
  Router router = MakeApiLikeRouter();
  EXPECT_EQ(Template(router.Find("GET", "/")), "/");
  EXPECT_EQ(router.Find("GET", "").route, nullptr);
  EXPECT_EQ(router.Find("GET", "//").route, nullptr);
}

TEST(Router, ParameterDoesNotMatchAnEmptySegment) {
  Router router = MakeApiLikeRouter();
  EXPECT_EQ(router.Find("PUT", "/users//following/a-2").route, nullptr);
}

TEST(Router, UnknownPathHasNoRouteAndNoAllowedMethods) {
  Router router = MakeApiLikeRouter();
  Router::Match match = router.Find("GET", "/nowhere");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_THAT(match.allowed_methods, IsEmpty());
}

TEST(Router, KnownPathWithOtherMethodListsAllowedMethodsSortedOnce) {
  Router router = MakeApiLikeRouter();
  Router::Match match = router.Find("DELETE", "/users/u-1");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_THAT(match.allowed_methods, ElementsAre("GET", "PATCH"));

  Router::Match on_literal = router.Find("DELETE", "/users/me");
  EXPECT_THAT(on_literal.allowed_methods, ElementsAre("GET", "PATCH"));
}

TEST(Router, MethodsAreCaseSensitive) {
  Router router = MakeApiLikeRouter();
  Router::Match match = router.Find("get", "/competitions");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_THAT(match.allowed_methods, ElementsAre("GET", "POST"));
}

TEST(Router, RejectsMalformedTemplatesAtConstruction) {
  EXPECT_THROW(Router({MakeRoute("GET", "users")}), std::invalid_argument);
  EXPECT_THROW(Router({MakeRoute("GET", "/users/")}), std::invalid_argument);
  EXPECT_THROW(Router({MakeRoute("GET", "/users/{}")}), std::invalid_argument);
  EXPECT_THROW(Router({MakeRoute("GET", "/users/{id")}), std::invalid_argument);
  EXPECT_THROW(Router({MakeRoute("GET", "/users/x{id}")}), std::invalid_argument);
  EXPECT_THROW(Router({MakeRoute("GET", "/users/{id}.ics}")}), std::invalid_argument);
  EXPECT_THROW(Router({MakeRoute("GET", "/users/{id}{x}")}), std::invalid_argument);
}

TEST(Router, ParameterWithASuffixCapturesTheValueWithoutIt) {
  Router router({MakeRoute("GET", "/calendars/{token}.ics"), MakeRoute("GET", "/calendars/{id}"),
                 MakeRoute("GET", "/athletes/{id}/calendar.ics")});
  Router::Match match = router.Find("GET", "/calendars/abc.ics");
  EXPECT_EQ(Template(match), "/calendars/{token}.ics");
  EXPECT_THAT(match.path_params, ElementsAre(Pair("token", "abc")));
  // Without the suffix, or with nothing before it, the plain parameter takes the path.
  EXPECT_EQ(Template(router.Find("GET", "/calendars/abc.ical")), "/calendars/{id}");
  EXPECT_EQ(Template(router.Find("GET", "/calendars/.ics")), "/calendars/{id}");
  EXPECT_EQ(Template(router.Find("GET", "/athletes/a-1/calendar.ics")),
            "/athletes/{id}/calendar.ics");
  EXPECT_EQ(router.Find("GET", "/athletes/a-1/calendar.icsx").route, nullptr);
}

TEST(Router, ParameterWithASuffixAloneLeavesOtherPathsUnmatched) {
  Router router({MakeRoute("GET", "/calendars/{token}.ics")});
  EXPECT_EQ(router.Find("GET", "/calendars/abc").route, nullptr);
  EXPECT_EQ(router.Find("GET", "/calendars/.ics").route, nullptr);
  EXPECT_EQ(Template(router.Find("GET", "/calendars/a.ics.ics")), "/calendars/{token}.ics");
  EXPECT_THAT(router.Find("GET", "/calendars/a.ics.ics").path_params,
              ElementsAre(Pair("token", "a.ics")));
}

TEST(Router, RejectsTwoRoutesForTheSameMethodAndShape) {
  EXPECT_THROW(Router({MakeRoute("GET", "/users/{id}"), MakeRoute("GET", "/users/{user_id}")}),
               std::invalid_argument);
  EXPECT_NO_THROW(Router({MakeRoute("GET", "/users/{id}"), MakeRoute("PATCH", "/users/{id}")}));
}

}  // namespace
}  // namespace tt::http
