// Operations endpoints, the transport's limits, and rules that hold for every route.
#include <boost/json/parse.hpp>

#include "api/openapi_document.h"
#include "api/routes.h"
#include "api_fixture.h"

namespace tt::testing {
namespace {

using Operations = ApiTest;

constexpr const char* kUnknownId = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

// A concrete path for a route template, with every parameter a well-formed unknown id.
std::string FillTemplate(std::string_view path_template) {
  std::string path;
  bool in_parameter = false;
  for (char c : path_template) {
    if (c == '{') {
      in_parameter = true;
      path += kUnknownId;
    } else if (c == '}') {
      in_parameter = false;
    } else if (!in_parameter) {
      path += c;
    }
  }
  return path;
}

std::string Lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

TEST(OpenApi, DocumentsEveryRouteTheRouterServes) {
  boost::json::value document = boost::json::parse(api::OpenApiJson());
  const auto& paths = document.at("paths").as_object();
  std::vector<std::pair<std::string, std::string>> routes;
  for (const api::RouteSpec& spec : api::RouteTable())
    routes.emplace_back(spec.method, spec.path_template);
  routes.emplace_back("GET", "/metrics");
  for (const auto& [method, path] : routes) {
    const boost::json::value* item = paths.if_contains(path);
    ASSERT_NE(item, nullptr) << path << " is missing from openapi/openapi.json";
    EXPECT_TRUE(item->as_object().contains(Lowercase(method)))
        << method << " " << path << " is missing from openapi/openapi.json";
  }
}

TEST_F(Operations, EveryRouteThatNeedsATokenAnswers401WithoutOne) {
  for (const api::RouteSpec& spec : api::RouteTable()) {
    if (spec.access == api::Access::kPublic) continue;
    std::string body = "{}";
    HttpResponse response = client().Send(spec.method, FillTemplate(spec.path_template), "", &body);
    EXPECT_EQ(response.status, 401) << spec.method << " " << spec.path_template;
    EXPECT_EQ(ErrorCodeOf(response), "unauthenticated") << spec.method << " " << spec.path_template;
    HttpResponse garbage =
        client().Send(spec.method, FillTemplate(spec.path_template), "not-a-token", &body);
    EXPECT_EQ(garbage.status, 401) << spec.method << " " << spec.path_template;
  }
}

TEST_F(Operations, HealthAndReadinessAnswer200) {
  EXPECT_EQ(client().Get("/healthz").status, 200);
  HttpResponse ready = client().Get("/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(Str(ready.Json().at("status")), "ready");
}

TEST_F(Operations, OpenApiIsServedAsJson) {
  HttpResponse document = client().Get("/openapi.json");
  ASSERT_EQ(document.status, 200);
  EXPECT_TRUE(Str(document.Json().at("openapi")).starts_with("3."));
}

TEST_F(Operations, MetricsCountRequestsByRouteTemplateAndStatus) {
  client().Get(std::string("/competitions/") + kUnknownId);
  client().Get("/healthz");
  HttpResponse metrics = client().Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_TRUE(metrics.Header("content-type").starts_with("text/plain; version=0.0.4"));
  EXPECT_NE(metrics.body.find("route=\"/competitions/{id}\""), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("status=\"404\""), std::string::npos);
  EXPECT_NE(metrics.body.find("_bucket{"), std::string::npos);
  EXPECT_EQ(metrics.body.find(kUnknownId), std::string::npos) << "ids must not become labels";
  // Also proves which store the server runs on in each pass of the suite.
  const char* store_counter = TestBackend() == Backend::kDynamoDb ? "tt_dynamodb_calls_total "
                                                                  : "tt_sqlite_statements_total ";
  EXPECT_NE(metrics.body.find(store_counter), std::string::npos) << metrics.body;
}

TEST_F(Operations, UnknownRoutesAre404AndWrongMethods405WithAllow) {
  HttpResponse unknown = client().Get("/no/such/route");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCodeOf(unknown), "not_found");
  HttpResponse wrong = client().Send("PUT", "/competitions");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(ErrorCodeOf(wrong), "method_not_allowed");
  EXPECT_NE(wrong.Header("allow").find("GET"), std::string::npos);
  EXPECT_NE(wrong.Header("allow").find("POST"), std::string::npos);
}

TEST_F(Operations, BodiesOverOneMebibyteAre413) {
  Account account = SignUp();
  std::string huge = "{\"name\": \"" + std::string(1024 * 1024, 'x') + "\"}";
  HttpResponse response = client().Send("POST", "/competitions", account.token, &huge);
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(ErrorCodeOf(response), "payload_too_large");
}

TEST_F(Operations, EveryAnswerCarriesARequestIdAndNoServerBanner) {
  HttpResponse generated = client().Get("/healthz");
  EXPECT_FALSE(generated.Header("x-request-id").empty());
  EXPECT_FALSE(generated.HasHeader("server"));
  HttpResponse echoed = client().Get("/healthz", "", {{"X-Request-Id", "trace-42"}});
  EXPECT_EQ(echoed.Header("x-request-id"), "trace-42");
}

TEST_F(Operations, ConflictingContentLengthAndTransferEncodingAreRefused) {
  std::string answer = client().SendRaw(
      "POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
      "Content-Type: application/json\r\n\r\n0\r\n\r\n");
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
}

TEST_F(Operations, SigtermDrainsAndExitsCleanly) {
  EXPECT_EQ(server().Terminate(), 0);
  std::string log = server().Log();
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
}

}  // namespace
}  // namespace tt::testing
