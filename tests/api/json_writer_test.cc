#include "api/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "api/encoding.h"

namespace tt::api {
namespace {

namespace json = boost::json;

TEST(JsonWriter, WritesNestedStructuresWithCommasWhereTheyBelong) {
  std::string text;
  JsonWriter out(text);
  out.BeginObject();
  out.Member("a", 1);
  out.Key("empty");
  out.BeginArray();
  out.EndArray();
  out.Key("list");
  out.BeginArray();
  out.BeginObject();
  out.EndObject();
  out.Int(-9223372036854775807 - 1);
  out.Bool(false);
  out.Null();
  out.EndArray();
  out.Member("none", std::optional<std::string>());
  out.Member("some", std::optional<std::string>("x"));
  out.EndObject();
  EXPECT_EQ(text, R"({"a":1,"empty":[],"list":[{},-9223372036854775808,false,null],)"
                  R"("none":null,"some":"x"})");
}

TEST(JsonWriter, EscapesWhatJsonRequiresAndKeepsUtf8) {
  std::string raw = "q\"b\\s/\n\r\t\b\f";
  raw.push_back('\0');
  raw += "\x01\x1f\x7f Zürich 東京 🏃";
  std::string text;
  JsonWriter out(text);
  out.String(raw);
  EXPECT_EQ(text, "\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0000\\u0001\\u001f\x7f Zürich 東京 🏃\"");
  // Every byte value below 0x80 round-trips through a real parser.
  std::string all;
  for (int c = 1; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  std::string encoded;
  JsonWriter all_out(encoded);
  all_out.String(all);
  EXPECT_EQ(json::parse(encoded).as_string(), all);
}

TEST(JsonWriter, WritesDatesAndTimestampsAsTheContractSpellsThem) {
  std::string text;
  JsonWriter out(text);
  out.BeginArray();
  out.Date(*Date::Parse("2026-06-13"));
  out.Timestamp(*ParseInstant("2026-06-13T14:36:07.5Z"));
  out.EndArray();
  EXPECT_EQ(text, R"(["2026-06-13","2026-06-13T14:36:07.500000Z"])");
}

TEST(Encoding, CompetitionJsonHasEveryContractFieldAndParses) {
  Competition competition;
  competition.id = "c1";
  competition.name = "Prefontaine \"Classic\"";
  competition.location = "Eugene, OR";
  competition.start_date = *Date::Parse("2026-07-04");
  competition.end_date = *Date::Parse("2026-07-05");
  competition.url = "https://example.com";
  competition.created_at = *ParseInstant("2026-01-01T00:00:00Z");
  competition.updated_at = *ParseInstant("2026-01-02T00:00:00Z");
  competition.version = 3;
  const json::value parsed = json::parse(CompetitionJson(competition));
  EXPECT_EQ(parsed, json::parse(R"({"id":"c1","name":"Prefontaine \"Classic\"",
      "location":"Eugene, OR","start_date":"2026-07-04","end_date":"2026-07-05",
      "description":null,"url":"https://example.com","created_by":null,
      "created_at":"2026-01-01T00:00:00.000000Z","updated_at":"2026-01-02T00:00:00.000000Z",
      "version":3})"));
}

TEST(Encoding, PageResponseWritesItemsAndCursor) {
  const std::vector<Competition> none;
  EXPECT_EQ(PageResponse(none, &WriteCompetition, std::nullopt).body,
            R"({"items":[],"next_cursor":null})");
  Competition one;
  one.id = "x";
  const Response page = PageResponse(std::vector<Competition>{one, one}, &WriteCompetition,
                                     std::optional<std::string>("abc"));
  const json::object body = json::parse(page.body).as_object();
  EXPECT_EQ(body.at("items").as_array().size(), 2U);
  EXPECT_EQ(body.at("next_cursor").as_string(), "abc");
}

}  // namespace
}  // namespace tt::api
