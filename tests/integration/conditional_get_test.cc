// Conditional GETs (RFC 9110 If-None-Match), which polling calendar apps and mobile clients rely
// on: 304 without a body while the client's copy is current, and an ETag that changes with every
// kind of change a calendar shows.
#include <string>
#include <vector>

#include "api_fixture.h"

namespace tt::testing {
namespace {

class ConditionalGet : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    owner_ = SignUp("owner");
    meet_ = Str(CreateCompetition(owner_, "Bislett Games", "2027-06-10", "2027-06-12").at("id"));
    athlete_ = SignUp("athlete");
    EXPECT_EQ(
        client()
            .Post("/athletes", {{"first_name", "Faith"}, {"last_name", "Kipyegon"}}, athlete_.token)
            .status,
        201);
    HttpResponse event = client().Post(
        "/athletes/" + athlete_.id + "/events",
        {{"competition_id", meet_}, {"name", "1500m"}, {"date_time", "2027-06-11T20:00:00+02:00"}},
        athlete_.token);
    EXPECT_EQ(event.status, 201) << event.body;
    event_ = Str(event.Json().at("id"));
  }

  std::string ETagOf(const std::string& path) {
    HttpResponse response = client().Get(path);
    EXPECT_EQ(response.status, 200) << path << ": " << response.body;
    EXPECT_FALSE(response.Header("etag").empty()) << path;
    return response.Header("etag");
  }

  // Whether a GET of `path` with If-None-Match `condition` is answered 304 (and correctly).
  bool NotModified(const std::string& path, const std::string& condition) {
    HttpResponse response = client().Get(path, "", {{"If-None-Match", condition}});
    if (response.status == 304) {
      EXPECT_TRUE(response.body.empty());
      EXPECT_FALSE(response.HasHeader("content-type"));
      EXPECT_FALSE(response.Header("etag").empty());
      return true;
    }
    EXPECT_EQ(response.status, 200) << path << " with " << condition;
    return false;
  }

  Account owner_;
  Account athlete_;
  std::string meet_;
  std::string event_;
};

TEST_F(ConditionalGet, EveryResourceWithAnETagAnswers304WhileCurrent) {
  for (const std::string& path :
       {"/competitions/" + meet_, "/athletes/" + athlete_.id, "/events/" + event_,
        "/users/" + owner_.id, "/athletes/" + athlete_.id + "/calendar.ics",
        "/competitions/" + meet_ + "/calendar.ics"}) {
    SCOPED_TRACE(path);
    const std::string etag = ETagOf(path);
    EXPECT_TRUE(NotModified(path, etag));
    EXPECT_TRUE(NotModified(path, "W/" + etag)) << "weak comparison";
    EXPECT_TRUE(NotModified(path, "\"other\", " + etag));
    EXPECT_TRUE(NotModified(path, "*"));
    EXPECT_FALSE(NotModified(path, "\"other\""));
    // Garbage is ignored: the whole answer.
    for (const std::string_view garbage : {"garbage", "\"unterminated", "1, 2", "W/"}) {
      EXPECT_FALSE(NotModified(path, std::string(garbage))) << garbage;
    }
  }
}

TEST_F(ConditionalGet, AJsonResourcesETagIsItsVersion) {
  const std::string path = "/competitions/" + meet_;
  EXPECT_TRUE(NotModified(path, "\"1\""));
  ASSERT_EQ(client().Patch(path, {{"name", "Bislett"}}, owner_.token).status, 200);
  EXPECT_FALSE(NotModified(path, "\"1\""));
  EXPECT_TRUE(NotModified(path, "\"2\""));
}

// The calendar ETag hashes the calendar's text, so it changes with anything the calendar shows;
// one test per kind of change.
TEST_F(ConditionalGet, ACalendarsETagChangesWhenItsCompetitionIsRenamed) {
  for (const std::string& path :
       {"/athletes/" + athlete_.id + "/calendar.ics", "/competitions/" + meet_ + "/calendar.ics"}) {
    SCOPED_TRACE(path);
    const std::string before = ETagOf(path);
    ASSERT_EQ(client()
                  .Patch("/competitions/" + meet_, {{"name", "Renamed " + before}}, owner_.token)
                  .status,
              200);
    const std::string after = ETagOf(path);
    EXPECT_NE(after, before);
    EXPECT_FALSE(NotModified(path, before));
    EXPECT_TRUE(NotModified(path, after));
  }
}

TEST_F(ConditionalGet, ACalendarsETagChangesWhenAnEventMoves) {
  for (const std::string& path :
       {"/athletes/" + athlete_.id + "/calendar.ics", "/competitions/" + meet_ + "/calendar.ics"}) {
    SCOPED_TRACE(path);
    const std::string before = ETagOf(path);
    static int minute = 10;
    const std::string moved = "2027-06-12T09:" + std::to_string(++minute) + ":00+02:00";
    ASSERT_EQ(client()
                  .Patch("/athletes/" + athlete_.id + "/events/" + event_, {{"date_time", moved}},
                         athlete_.token)
                  .status,
              200);
    EXPECT_NE(ETagOf(path), before);
    EXPECT_FALSE(NotModified(path, before));
  }
}

TEST_F(ConditionalGet, ACalendarsETagChangesWhenAnEventIsAddedOrRemoved) {
  const std::string path = "/competitions/" + meet_ + "/calendar.ics";
  const std::string before = ETagOf(path);
  HttpResponse added = client().Post(
      "/athletes/" + athlete_.id + "/events",
      {{"competition_id", meet_}, {"name", "5000m"}, {"date_time", "2027-06-10T18:00:00Z"}},
      athlete_.token);
  ASSERT_EQ(added.status, 201);
  const std::string with_event = ETagOf(path);
  EXPECT_NE(with_event, before);
  ASSERT_EQ(client()
                .Delete("/athletes/" + athlete_.id + "/events/" + Str(added.Json().at("id")),
                        athlete_.token)
                .status,
            204);
  EXPECT_NE(ETagOf(path), with_event);
}

TEST_F(ConditionalGet, AFeedCalendarsETagChangesWhenAFollowIsAddedOrAnAthleteRenamed) {
  Account fan = SignUp("fan");
  HttpResponse token = client().Post("/users/" + fan.id + "/calendar-token", {}, fan.token);
  ASSERT_EQ(token.status, 201);
  const std::string url = Str(token.Json().at("url"));
  const std::string path = url.substr(url.find("/calendars/"));
  const std::string empty = ETagOf(path);

  ASSERT_EQ(client().Put("/users/" + fan.id + "/following/" + athlete_.id, fan.token).status, 204);
  const std::string following = ETagOf(path);
  EXPECT_NE(following, empty);
  EXPECT_FALSE(NotModified(path, empty));
  EXPECT_TRUE(NotModified(path, following));

  ASSERT_EQ(
      client()
          .Patch("/athletes/" + athlete_.id, {{"first_name", "Faith Chepngetich"}}, athlete_.token)
          .status,
      200);
  EXPECT_NE(ETagOf(path), following);
}

}  // namespace
}  // namespace tt::testing
