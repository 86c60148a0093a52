#include "http/request_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <set>
#include <string>

namespace tt::http {
namespace {

namespace bhttp = boost::beast::http;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

BeastRequest MakeRequest(bhttp::verb method, std::string_view target) {
  return BeastRequest(method, target, 11);
}

TEST(RequestId, AcceptsOneTo64SafeCharacters) {
  EXPECT_TRUE(IsValidRequestId("a"));
  EXPECT_TRUE(IsValidRequestId("Abc-123_x.y"));
  EXPECT_TRUE(IsValidRequestId(std::string(64, 'z')));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(65, 'z')));
  EXPECT_FALSE(IsValidRequestId("has space"));
  EXPECT_FALSE(IsValidRequestId("line\nbreak"));
  EXPECT_FALSE(IsValidRequestId("semi;colon"));
}

TEST(RequestId, GeneratedIdsAre16HexDigitsAndDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string id = GenerateRequestId();
    EXPECT_EQ(id.size(), 16u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RequestMapping, SplitsTargetIntoDecodedPathAndQuery) {
  BeastRequest message =
      MakeRequest(bhttp::verb::get, "/athletes/a%20b?q=J%C3%B6rg+M&limit=5&q=x&flag");
  Result<api::Request> request = ToApiRequest(std::move(message), "rid");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->path, "/athletes/a b");
  EXPECT_THAT(request->query, ElementsAre(Pair("q", "J\xC3\xB6rg M"), Pair("limit", "5"),
                                          Pair("q", "x"), Pair("flag", "")));
  EXPECT_EQ(request->Query("q"), "x");
  EXPECT_EQ(request->request_id, "rid");
}

TEST(RequestMapping, KeepsRootAndTrailingSlash) {
  EXPECT_EQ(ToApiRequest(MakeRequest(bhttp::verb::get, "/"), "r")->path, "/");
  EXPECT_EQ(ToApiRequest(MakeRequest(bhttp::verb::get, "/users/"), "r")->path, "/users/");
  EXPECT_THAT(ToApiRequest(MakeRequest(bhttp::verb::get, "/users"), "r")->query, IsEmpty());
}

TEST(RequestMapping, MalformedTargetIsBadRequest) {
  for (std::string_view target : {"/a%zz", "http://example.com/a", "*", "relative"}) {
    Result<api::Request> request = ToApiRequest(MakeRequest(bhttp::verb::get, target), "r");
    ASSERT_FALSE(request.ok()) << target;
    EXPECT_EQ(request.error().code, ErrorCode::kBadRequest) << target;
  }
}

TEST(RequestMapping, EncodedSlashOrNulInPathIsNotFound) {
  for (std::string_view target : {"/users/a%2Fb", "/users/a%00"}) {
    Result<api::Request> request = ToApiRequest(MakeRequest(bhttp::verb::get, target), "r");
    ASSERT_FALSE(request.ok()) << target;
    EXPECT_EQ(request.error().code, ErrorCode::kNotFound) << target;
  }
}

TEST(RequestMapping, CopiesTheHeadersTheApiReadsAndTheBody) {
  BeastRequest message = MakeRequest(bhttp::verb::patch, "/x");
  message.set(bhttp::field::authorization, "Bearer t0k");
  message.set(bhttp::field::content_type, "application/json");
  message.set(bhttp::field::if_match, "\"3\"");
  message.body() = R"({"a":1})";
  Result<api::Request> request = ToApiRequest(std::move(message), "r");
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->method, "PATCH");
  EXPECT_EQ(request->credentials.kind, api::Credentials::Kind::kToken);
  EXPECT_EQ(request->credentials.token, "t0k");
  EXPECT_TRUE(request->json_body);
  EXPECT_EQ(request->if_match_version, 3);
  EXPECT_FALSE(request->if_none_match.has_value());
  EXPECT_EQ(request->body, R"({"a":1})");
}

TEST(RequestMapping, AuthorizationIsABearerOrTokenSchemeWithAToken) {
  using Kind = api::Credentials::Kind;
  EXPECT_EQ(ParseAuthorization("").kind, Kind::kNone);
  for (std::string_view good : {"Bearer abc", "bearer abc", "TOKEN abc", "Bearer   abc  "}) {
    const api::Credentials credentials = ParseAuthorization(good);
    EXPECT_EQ(credentials.kind, Kind::kToken) << good;
    EXPECT_EQ(credentials.token, "abc") << good;
  }
  for (std::string_view bad : {"abc", "Basic YTpi", "Bearer", "Bearer    ", "Bearerabc"}) {
    EXPECT_EQ(ParseAuthorization(bad).kind, Kind::kMalformed) << bad;
  }
  EXPECT_EQ(ParseAuthorization("Bearer " + std::string(513, 'a')).kind, Kind::kMalformed);
  EXPECT_EQ(ParseAuthorization("Bearer " + std::string(512, 'a')).kind, Kind::kToken);
}

TEST(RequestMapping, JsonMediaTypesAreJsonInUtf8Only) {
  for (std::string_view json :
       {"application/json", "Application/JSON; charset=UTF-8", "application/merge-patch+json",
        "application/json;charset=\"utf8\""}) {
    EXPECT_TRUE(IsJsonMediaType(json)) << json;
  }
  for (std::string_view other : {"", "text/json", "application/json; charset=latin1",
                                 "application/jsonx", "text/plain", "application/+jsonx"}) {
    EXPECT_FALSE(IsJsonMediaType(other)) << other;
  }
}

TEST(RequestMapping, IfMatchIsTheVersionAClientReadOrMatchesNone) {
  EXPECT_EQ(ParseIfMatchVersion(""), std::nullopt);
  EXPECT_EQ(ParseIfMatchVersion("*"), std::nullopt);
  EXPECT_EQ(ParseIfMatchVersion(" \"12\" "), 12);
  EXPECT_EQ(ParseIfMatchVersion("W/\"4\""), 4);
  EXPECT_EQ(ParseIfMatchVersion("4"), 4);  // unquoted, as earlier clients sent it
  for (std::string_view none :
       {"\"0\"", "\"-2\"", "\"x\"", "\"1\", \"2\"", "\"\"", "\"99999999999999999999\""}) {
    EXPECT_EQ(ParseIfMatchVersion(none), -1) << none;
  }
}

TEST(RequestMapping, IfNoneMatchIsAStarOrAListOfEntityTags) {
  std::optional<api::EntityTagList> star = ParseIfNoneMatch(" * ");
  ASSERT_TRUE(star.has_value());
  EXPECT_TRUE(star->any);
  EXPECT_TRUE(star->Matches("\"anything\""));

  std::optional<api::EntityTagList> list = ParseIfNoneMatch("\"1\", W/\"2\",,\t\"a-b\" ");
  ASSERT_TRUE(list.has_value());
  EXPECT_FALSE(list->any);
  EXPECT_EQ(list->opaque_tags, (std::vector<std::string>{"\"1\"", "\"2\"", "\"a-b\""}));
  // Weak comparison, on both sides.
  EXPECT_TRUE(list->Matches("\"2\""));
  EXPECT_TRUE(list->Matches("W/\"1\""));
  EXPECT_FALSE(list->Matches("\"3\""));
  EXPECT_FALSE(list->Matches("1"));
}

TEST(RequestMapping, MalformedIfNoneMatchIsIgnored) {
  for (std::string_view garbage :
       {"", " ", "3", "\"3", "W/3", "\"1\", 2", "\"a\"b\"", "**", "\"1\" \"2\"", ","}) {
    EXPECT_FALSE(ParseIfNoneMatch(garbage).has_value()) << garbage;
  }
  BeastRequest message = MakeRequest(bhttp::verb::get, "/x");
  message.set(bhttp::field::if_none_match, "not an etag");
  Result<api::Request> request = ToApiRequest(std::move(message), "r");
  ASSERT_TRUE(request.ok());
  EXPECT_FALSE(request->if_none_match.has_value());
}

TEST(RequestMapping, IfNoneMatchOverSeveralFieldLinesIsOneList) {
  BeastRequest message = MakeRequest(bhttp::verb::get, "/x");
  message.insert(bhttp::field::if_none_match, "\"1\"");
  message.insert(bhttp::field::if_none_match, "W/\"2\"");
  message.set(bhttp::field::host, "api.example.com:8080");
  Result<api::Request> request = ToApiRequest(std::move(message), "r");
  ASSERT_TRUE(request.ok());
  ASSERT_TRUE(request->if_none_match.has_value());
  EXPECT_EQ(request->if_none_match->opaque_tags, (std::vector<std::string>{"\"1\"", "\"2\""}));
  EXPECT_EQ(request->host, "api.example.com:8080");
}

TEST(RequestMapping, RequestIdComesFromTheClientOnlyWhenValid) {
  bhttp::fields headers;
  headers.set("X-Request-Id", "client-id.1");
  EXPECT_EQ(RequestIdFor(headers), "client-id.1");
  headers.set("X-Request-Id", "not valid!");
  EXPECT_EQ(RequestIdFor(headers).size(), 16u);
}

TEST(RequestMapping, FramingWithTransferEncodingMustBeChunkedOnly) {
  bhttp::fields headers;
  EXPECT_TRUE(HasUnambiguousFraming(headers, false));
  headers.set(bhttp::field::transfer_encoding, "chunked");
  EXPECT_TRUE(HasUnambiguousFraming(headers, true));
  headers.set(bhttp::field::content_length, "5");
  EXPECT_FALSE(HasUnambiguousFraming(headers, true));
  headers.erase(bhttp::field::content_length);
  headers.set(bhttp::field::transfer_encoding, "gzip");
  EXPECT_FALSE(HasUnambiguousFraming(headers, false));
}

// `wire` as a client reads it; a parse failure fails the test.
bhttp::response<bhttp::string_body> Parse(const WireResponse& wire) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.skip(wire.status == 204 || wire.status == 304);
  const std::string text = wire.head + wire.body;
  boost::beast::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(text), ec);
  EXPECT_FALSE(ec) << ec.message() << ": " << text;
  EXPECT_TRUE(parser.is_done()) << text;
  EXPECT_EQ(used, text.size()) << "bytes after the message: " << text;
  return parser.release();
}

TEST(ResponseMapping, SetsStatusTypeHeadersRequestIdAndLength) {
  api::Response response{201, "application/json", R"({"id":"x"})", {{"Location", "/x"}}};
  const WireResponse wire = ToWireResponse(std::move(response), 11, true, "rid");
  EXPECT_EQ(wire.status, 201);
  EXPECT_TRUE(wire.head.starts_with("HTTP/1.1 201 Created\r\n")) << wire.head;
  const auto message = Parse(wire);
  EXPECT_EQ(message.result_int(), 201u);
  EXPECT_EQ(message[bhttp::field::content_type], "application/json");
  EXPECT_EQ(message[bhttp::field::location], "/x");
  EXPECT_EQ(message["X-Request-Id"], "rid");
  EXPECT_EQ(message[bhttp::field::content_length], "10");
  EXPECT_EQ(message.body(), R"({"id":"x"})");
  EXPECT_EQ(message.find(bhttp::field::server), message.end());
  EXPECT_EQ(message.find(bhttp::field::connection), message.end());
  EXPECT_TRUE(message.keep_alive());
}

TEST(ResponseMapping, NoContentHasNoBodyTypeOrLength) {
  const WireResponse wire =
      ToWireResponse(api::Response{204, "application/json", "stray", {}}, 11, true, "rid");
  EXPECT_TRUE(wire.body.empty());
  const auto message = Parse(wire);
  EXPECT_EQ(message.result_int(), 204u);
  EXPECT_TRUE(message.body().empty());
  EXPECT_EQ(message.find(bhttp::field::content_type), message.end());
  EXPECT_EQ(message.find(bhttp::field::content_length), message.end());
}

TEST(ResponseMapping, AnswerToHeadKeepsTheLengthButSendsNoBody) {
  const WireResponse wire =
      ToWireResponse(api::Response{405, "application/json", "{\"e\":1}", {}}, 11, true, "r",
                     /*send_body=*/false);
  EXPECT_TRUE(wire.body.empty());
  EXPECT_NE(wire.head.find("\r\nContent-Length: 7\r\n"), std::string::npos) << wire.head;
  EXPECT_TRUE(wire.head.ends_with("\r\n\r\n"));
}

TEST(ResponseMapping, DropsHeadersThatWouldInjectLines) {
  api::Response response{200,
                         "application/json",
                         "{}",
                         {{"X-Ok", "fine"}, {"X-Bad", "a\r\nSet-Cookie: x"}, {"Bad Name", "v"}}};
  const auto message = Parse(ToWireResponse(std::move(response), 11, true, "rid"));
  EXPECT_EQ(message["X-Ok"], "fine");
  EXPECT_EQ(message.find("X-Bad"), message.end());
  EXPECT_EQ(message.find("Bad Name"), message.end());
  EXPECT_EQ(message.find(bhttp::field::set_cookie), message.end());
}

TEST(ResponseMapping, HandlersCannotSetTheFramingOrTheRequestId) {
  api::Response response{200,
                         "application/json",
                         "{}",
                         {{"content-length", "99"},
                          {"Transfer-Encoding", "chunked"},
                          {"Connection", "close"},
                          {"X-Request-Id", "forged"}}};
  const auto message = Parse(ToWireResponse(std::move(response), 11, true, "rid"));
  EXPECT_EQ(message[bhttp::field::content_length], "2");
  EXPECT_EQ(message.count(bhttp::field::content_length), 1u);
  EXPECT_EQ(message.find(bhttp::field::transfer_encoding), message.end());
  EXPECT_EQ(message.find(bhttp::field::connection), message.end());
  EXPECT_EQ(message["X-Request-Id"], "rid");
  EXPECT_EQ(message.count("X-Request-Id"), 1u);
}

TEST(ResponseMapping, StatusOutsideTheValidRangeBecomesInternalError) {
  const WireResponse wire = ToWireResponse(api::Response{42, "text/plain", "?", {}}, 11, true, "r");
  EXPECT_EQ(wire.status, 500);
  EXPECT_EQ(Parse(wire).result_int(), 500u);
}

TEST(ResponseMapping, Http10KeepAliveIsSaidExplicitly) {
  const auto kept = Parse(ToWireResponse(api::Response{}, 10, true, "r"));
  EXPECT_EQ(kept.version(), 10u);
  EXPECT_EQ(kept[bhttp::field::connection], "keep-alive");
  EXPECT_TRUE(kept.keep_alive());
  const auto closed = Parse(ToWireResponse(api::Response{}, 11, false, "r"));
  EXPECT_EQ(closed[bhttp::field::connection], "close");
  EXPECT_FALSE(closed.keep_alive());
  const auto http10_closed = Parse(ToWireResponse(api::Response{}, 10, false, "r"));
  EXPECT_EQ(http10_closed.find(bhttp::field::connection), http10_closed.end());
  EXPECT_FALSE(http10_closed.keep_alive());
}

}  // namespace
}  // namespace tt::http
