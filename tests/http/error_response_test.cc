#include "http/error_response.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

namespace tt::http {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;

std::optional<std::string> Header(const api::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

struct CodeAndStatus {
  ErrorCode code;
  std::string_view name;
  int status;
};

const std::vector<CodeAndStatus> kContractTable = {
    {ErrorCode::kBadRequest, "bad_request", 400},
    {ErrorCode::kUnauthenticated, "unauthenticated", 401},
    {ErrorCode::kForbidden, "forbidden", 403},
    {ErrorCode::kNotFound, "not_found", 404},
    {ErrorCode::kMethodNotAllowed, "method_not_allowed", 405},
    {ErrorCode::kConflict, "conflict", 409},
    {ErrorCode::kPreconditionFailed, "precondition_failed", 412},
    {ErrorCode::kPayloadTooLarge, "payload_too_large", 413},
    {ErrorCode::kUnsupportedMediaType, "unsupported_media_type", 415},
    {ErrorCode::kValidationFailed, "validation_failed", 422},
    {ErrorCode::kRateLimited, "rate_limited", 429},
    {ErrorCode::kInternal, "internal", 500},
    {ErrorCode::kUnavailable, "unavailable", 503},
};

TEST(ErrorResponse, EveryCodeHasTheContractStatus) {
  for (const CodeAndStatus& row : kContractTable) {
    EXPECT_EQ(HttpStatus(row.code), row.status) << row.name;
  }
}

TEST(ErrorResponse, EveryCodeAnswersWithTheOneErrorBodyShape) {
  for (const CodeAndStatus& row : kContractTable) {
    api::Response response = ErrorResponse(Error{row.code, "what went wrong", {}, {}});
    EXPECT_EQ(response.status, row.status) << row.name;
    EXPECT_EQ(response.content_type, "application/json");
    boost::json::value body = boost::json::parse(response.body);
    ASSERT_TRUE(body.is_object());
    EXPECT_EQ(body.as_object().size(), 1u);
    const boost::json::object& error = body.at("error").as_object();
    EXPECT_EQ(error.at("code").as_string(), row.name);
    EXPECT_EQ(error.at("message").as_string(), "what went wrong");
    EXPECT_FALSE(error.contains("fields")) << "fields appear only where they apply";
  }
}

TEST(ErrorResponse, ValidationErrorNamesEachOffendingField) {
  api::Response response = ErrorResponse(Error::Validation(
      {{"end_date", "must not be before start_date"}, {"name", "must not be empty"}}));
  EXPECT_EQ(response.status, 422);
  boost::json::value body = boost::json::parse(response.body);
  const boost::json::object& fields = body.at("error").at("fields").as_object();
  EXPECT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields.at("end_date").as_string(), "must not be before start_date");
  EXPECT_EQ(fields.at("name").as_string(), "must not be empty");
}

TEST(ErrorResponse, MessageIsJsonEscaped) {
  api::Response response = ErrorResponse(Error::BadRequest("a \"quoted\"\nline"));
  boost::json::value body = boost::json::parse(response.body);
  EXPECT_EQ(body.at("error").at("message").as_string(), "a \"quoted\"\nline");
}

TEST(ErrorResponse, RateLimitedCarriesRetryAfterInSeconds) {
  api::Response response = ErrorResponse(Error::RateLimited(42));
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(Header(response, "Retry-After"), "42");
}

TEST(ErrorResponse, UnavailableCarriesItsRetryAfter) {
  api::Response response = ErrorResponse(Error::Unavailable());
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(Header(response, "Retry-After"), "1");
}

TEST(ErrorResponse, NoRetryAfterWithoutOne) {
  EXPECT_THAT(ErrorResponse(Error::Conflict("taken")).headers, IsEmpty());
}

TEST(ErrorResponse, UnauthenticatedChallengesForABearerToken) {
  api::Response response = ErrorResponse(Error::Unauthenticated());
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Header(response, "WWW-Authenticate"), "Bearer");
  EXPECT_THAT(ErrorResponse(Error::Forbidden()).headers,
              Not(Contains(Pair("WWW-Authenticate", "Bearer"))));
}

}  // namespace
}  // namespace tt::http
