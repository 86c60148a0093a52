// An athlete's calendar of events over real HTTP, as ../shared/API.md specifies it: events at
// existing competitions, on a local day within the competition's dates, kept with the offset
// they were given, listed by instant; and how competitions and events constrain each other.
#include <string>
#include <vector>

#include "api_fixture.h"

namespace tt::testing {
namespace {

constexpr const char* kUnknownId = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";

// The items of a list page, copied out of the parsed body.
boost::json::array Items(const HttpResponse& response) {
  boost::json::value body = response.Json();
  return body.at("items").as_array();
}

class Calendar : public ApiTest {
 protected:
  // An athlete (whose calendar the tests fill) and the Prefontaine Classic, 2026-07-04..05,
  // created by another user.
  void SetUp() override {
    ApiTest::SetUp();
    organizer_ = SignUp("organizer");
    athlete_ = SignUp("athlete");
    BecomeAthlete(athlete_, "Sha'Carri", "Richardson");
    competition_id_ = Str(
        CreateCompetition(organizer_, "Prefontaine Classic", "2026-07-04", "2026-07-05").at("id"));
  }

  void BecomeAthlete(const Account& account, std::string_view first, std::string_view last) {
    HttpResponse created =
        client().Post("/athletes", {{"first_name", first}, {"last_name", last}}, account.token);
    ASSERT_EQ(created.status, 201) << created.body;
  }

  std::string CalendarPath(const Account& athlete) const {
    return "/athletes/" + athlete.id + "/events";
  }

  HttpResponse PostEvent(const Account& caller, const std::string& athlete_id,
                         std::string_view date_time, std::string_view name = "100m heats",
                         std::string competition_id = "") {
    if (competition_id.empty()) competition_id = competition_id_;
    return client().Post(
        "/athletes/" + athlete_id + "/events",
        {{"competition_id", competition_id}, {"name", name}, {"date_time", date_time}},
        caller.token);
  }

  // Adds an event to the athlete's calendar at the competition; returns its id.
  std::string AddEvent(std::string_view date_time, std::string_view name = "100m heats",
                       std::string competition_id = "") {
    HttpResponse created = PostEvent(athlete_, athlete_.id, date_time, name, competition_id);
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return "";
    return Str(created.Json().at("id"));
  }

  // The `field` of every event of the calendar list at `target` (first page only).
  std::vector<std::string> Listed(const std::string& target, std::string_view field = "date_time") {
    HttpResponse list = client().Get(target);
    EXPECT_EQ(list.status, 200) << list.body;
    std::vector<std::string> values;
    if (list.status != 200) return values;
    for (const auto& item : Items(list)) {
      values.push_back(Str(item.at(field)));
    }
    return values;
  }

  Account organizer_;
  Account athlete_;
  std::string competition_id_;
};

TEST_F(Calendar, AddingAnEventAnswers201AndKeepsTheDateTimeExactlyAsGiven) {
  HttpResponse created = client().Post(CalendarPath(athlete_),
                                       {{"competition_id", competition_id_},
                                        {"name", "100m final"},
                                        {"date_time", "2026-07-04T19:30:00-07:00"},
                                        {"notes", "Lane 4"}},
                                       athlete_.token);
  ASSERT_EQ(created.status, 201) << created.body;
  auto event = created.Json().as_object();
  std::string id = Str(event.at("id"));
  EXPECT_EQ(created.Header("location"), "/events/" + id);
  EXPECT_EQ(created.Header("etag"), "\"1\"");
  EXPECT_EQ(Str(event.at("athlete_id")), athlete_.id);
  EXPECT_EQ(Str(event.at("competition_id")), competition_id_);
  EXPECT_EQ(Str(event.at("name")), "100m final");
  EXPECT_EQ(Str(event.at("date_time")), "2026-07-04T19:30:00-07:00");
  EXPECT_EQ(Str(event.at("notes")), "Lane 4");
  EXPECT_EQ(event.at("version").as_int64(), 1);
  EXPECT_TRUE(Str(event.at("created_at")).ends_with("Z"));
  EXPECT_TRUE(Str(event.at("updated_at")).ends_with("Z"));

  // Anyone may read it, without a token.
  HttpResponse fetched = client().Get("/events/" + id);
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(fetched.Json(), created.Json());
  EXPECT_EQ(fetched.Header("etag"), "\"1\"");

  // Offsets other than the venue's and UTC's `Z` come back as written too.
  std::string utc = AddEvent("2026-07-05T02:30:00Z", "200m heats");
  EXPECT_EQ(Str(client().Get("/events/" + utc).Json().at("date_time")), "2026-07-05T02:30:00Z");
  std::string india = AddEvent("2026-07-05T08:00:00+05:30", "200m final");
  EXPECT_EQ(Str(client().Get("/events/" + india).Json().at("date_time")),
            "2026-07-05T08:00:00+05:30");
  EXPECT_TRUE(client().Get("/events/" + india).Json().at("notes").is_null());
}

TEST_F(Calendar, UnknownAndMalformedEventIdsAre404) {
  HttpResponse unknown = client().Get(std::string("/events/") + kUnknownId);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCodeOf(unknown), "not_found");
  EXPECT_EQ(client().Get("/events/not-an-id").status, 404);
}

TEST_F(Calendar, MissingOrInvalidFieldsAre422NamingEachOne) {
  HttpResponse missing =
      client().Post(CalendarPath(athlete_), boost::json::object{}, athlete_.token);
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(ErrorCodeOf(missing), "validation_failed");
  EXPECT_TRUE(NamesField(missing, "competition_id"));
  EXPECT_TRUE(NamesField(missing, "name"));
  EXPECT_TRUE(NamesField(missing, "date_time"));

  HttpResponse no_offset = PostEvent(athlete_, athlete_.id, "2026-07-04T19:30:00");
  EXPECT_EQ(no_offset.status, 422);
  EXPECT_TRUE(NamesField(no_offset, "date_time"));
  HttpResponse a_date = PostEvent(athlete_, athlete_.id, "2026-07-04");
  EXPECT_EQ(a_date.status, 422);
  EXPECT_TRUE(NamesField(a_date, "date_time"));
  HttpResponse empty_name = PostEvent(athlete_, athlete_.id, "2026-07-04T19:30:00Z", "");
  EXPECT_EQ(empty_name.status, 422);
  EXPECT_TRUE(NamesField(empty_name, "name"));
  EXPECT_TRUE(Listed(CalendarPath(athlete_)).empty());
}

TEST_F(Calendar, TheCompetitionMustExist) {
  HttpResponse unknown =
      PostEvent(athlete_, athlete_.id, "2026-07-04T19:30:00Z", "100m", kUnknownId);
  EXPECT_EQ(unknown.status, 422);
  EXPECT_TRUE(NamesField(unknown, "competition_id"));
  HttpResponse malformed = PostEvent(athlete_, athlete_.id, "2026-07-04T19:30:00Z", "100m", "pre");
  EXPECT_EQ(malformed.status, 422);
  EXPECT_TRUE(NamesField(malformed, "competition_id"));
  EXPECT_TRUE(Listed(CalendarPath(athlete_)).empty());
}

TEST_F(Calendar, TheLocalDayMustFallWithinTheCompetitionsDates) {
  HttpResponse after = PostEvent(athlete_, athlete_.id, "2026-07-06T10:00:00+02:00");
  EXPECT_EQ(after.status, 422);
  EXPECT_TRUE(NamesField(after, "date_time"));
  HttpResponse before = PostEvent(athlete_, athlete_.id, "2026-07-03T23:59:59Z");
  EXPECT_EQ(before.status, 422);
  EXPECT_TRUE(NamesField(before, "date_time"));
  // In UTC these fall within the dates, but their local days do not.
  HttpResponse late_local = PostEvent(athlete_, athlete_.id, "2026-07-06T02:00:00+05:00");
  EXPECT_EQ(late_local.status, 422);
  EXPECT_TRUE(NamesField(late_local, "date_time"));
  HttpResponse early_local = PostEvent(athlete_, athlete_.id, "2026-07-03T20:00:00-07:00");
  EXPECT_EQ(early_local.status, 422);
  EXPECT_TRUE(NamesField(early_local, "date_time"));
  EXPECT_TRUE(Listed(CalendarPath(athlete_)).empty());
}

TEST_F(Calendar, TheLocalDayNotTheUtcDayDecidesAtTheBoundaries) {
  // UTC day 2026-07-06, but the evening of the last day at the venue.
  HttpResponse last_evening = PostEvent(athlete_, athlete_.id, "2026-07-05T23:30:00-07:00");
  EXPECT_EQ(last_evening.status, 201) << last_evening.body;
  // UTC day 2026-07-03, but the first morning at the venue.
  HttpResponse first_morning = PostEvent(athlete_, athlete_.id, "2026-07-04T01:00:00+09:00");
  EXPECT_EQ(first_morning.status, 201) << first_morning.body;
  EXPECT_EQ(Listed(CalendarPath(athlete_)),
            (std::vector<std::string>{"2026-07-04T01:00:00+09:00", "2026-07-05T23:30:00-07:00"}));
}

TEST_F(Calendar, OnlyTheAthleteOrAnAdminMayAddEventsToAnExistingAthlete) {
  Account other = SignUp();
  HttpResponse forbidden = PostEvent(other, athlete_.id, "2026-07-04T19:30:00Z");
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(ErrorCodeOf(forbidden), "forbidden");
  Account anonymous;
  EXPECT_EQ(PostEvent(anonymous, athlete_.id, "2026-07-04T19:30:00Z").status, 401);
  // A user who is not an athlete has no calendar.
  EXPECT_EQ(PostEvent(other, other.id, "2026-07-04T19:30:00Z").status, 404);
  EXPECT_TRUE(Listed(CalendarPath(athlete_)).empty());

  GrantAdmin(other);
  other.token = SignIn(other.username, other.password);
  HttpResponse by_admin = PostEvent(other, athlete_.id, "2026-07-04T19:30:00Z", "Added by admin");
  ASSERT_EQ(by_admin.status, 201) << by_admin.body;
  EXPECT_EQ(Str(by_admin.Json().at("athlete_id")), athlete_.id);
  EXPECT_EQ(PostEvent(other, kUnknownId, "2026-07-04T19:30:00Z").status, 404);
  EXPECT_EQ(PostEvent(other, "not-an-id", "2026-07-04T19:30:00Z").status, 404);
  EXPECT_EQ(Listed(CalendarPath(athlete_), "name"), (std::vector<std::string>{"Added by admin"}));
}

TEST_F(Calendar, TheCalendarIsOrderedByInstantNotByText) {
  // Written in this order on purpose; the comments give each instant in UTC.
  AddEvent("2026-07-04T12:00:00Z", "c");       // 07-04 12:00Z
  AddEvent("2026-07-04T08:00:00-05:00", "d");  // 07-04 13:00Z
  AddEvent("2026-07-05T00:30:00+14:00", "b");  // 07-04 10:30Z
  AddEvent("2026-07-04T10:00:00+09:00", "a");  // 07-04 01:00Z
  EXPECT_EQ(Listed(CalendarPath(athlete_), "name"), (std::vector<std::string>{"a", "b", "c", "d"}));
  // The same instant as "c", written in another offset: ties are broken by id.
  AddEvent("2026-07-04T14:00:00+02:00", "c");  // 07-04 12:00Z
  std::vector<std::string> all = Listed(CalendarPath(athlete_), "id");
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(Listed(CalendarPath(athlete_), "name"),
            (std::vector<std::string>{"a", "b", "c", "c", "d"}));
  EXPECT_LT(all[2], all[3]);

  // Paging with limit=1 gives the same order, each event once.
  std::vector<std::string> paged;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    HttpResponse response = client().Get(CalendarPath(athlete_) + "?limit=1" +
                                         (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(response.status, 200) << response.body;
    for (const auto& item : Items(response)) {
      paged.push_back(Str(item.at("id")));
    }
    if (response.Json().at("next_cursor").is_null()) break;
    cursor = Str(response.Json().at("next_cursor"));
  }
  EXPECT_EQ(paged, all);
}

TEST_F(Calendar, FromAndToAreInclusiveAndCompareEachEventsLocalDay) {
  std::string three_days =
      Str(CreateCompetition(organizer_, "Three days", "2026-08-01", "2026-08-03").at("id"));
  AddEvent("2026-08-01T20:00:00-07:00", "first", three_days);  // UTC day 08-02
  AddEvent("2026-08-02T12:00:00Z", "second", three_days);      // UTC day 08-02
  AddEvent("2026-08-03T01:00:00+09:00", "third", three_days);  // UTC day 08-02
  std::string path = CalendarPath(athlete_);
  EXPECT_EQ(Listed(path + "?from=2026-08-02&to=2026-08-02", "name"),
            (std::vector<std::string>{"second"}));
  EXPECT_EQ(Listed(path + "?from=2026-08-01&to=2026-08-01", "name"),
            (std::vector<std::string>{"first"}));
  EXPECT_EQ(Listed(path + "?from=2026-08-03", "name"), (std::vector<std::string>{"third"}));
  EXPECT_EQ(Listed(path + "?to=2026-08-02", "name"), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(Listed(path + "?from=2026-08-01&to=2026-08-03", "name"),
            (std::vector<std::string>{"first", "second", "third"}));
  EXPECT_TRUE(Listed(path + "?from=2026-08-04").empty());
}

TEST_F(Calendar, TheCalendarOfAnUnknownAthleteIs404AndBadParametersAre422) {
  HttpResponse unknown = client().Get(std::string("/athletes/") + kUnknownId + "/events");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCodeOf(unknown), "not_found");
  EXPECT_EQ(client().Get("/athletes/not-an-id/events").status, 404);
  EXPECT_EQ(client().Get("/athletes/" + organizer_.id + "/events").status, 404);

  std::string path = CalendarPath(athlete_);
  HttpResponse from = client().Get(path + "?from=2026-02-30");
  EXPECT_EQ(from.status, 422);
  EXPECT_TRUE(NamesField(from, "from"));
  HttpResponse to = client().Get(path + "?to=tomorrow");
  EXPECT_EQ(to.status, 422);
  EXPECT_TRUE(NamesField(to, "to"));
  HttpResponse limit = client().Get(path + "?limit=0");
  EXPECT_EQ(limit.status, 422);
  EXPECT_TRUE(NamesField(limit, "limit"));
  HttpResponse cursor = client().Get(path + "?cursor=garbage");
  EXPECT_EQ(cursor.status, 422);
  EXPECT_TRUE(NamesField(cursor, "cursor"));
  EXPECT_EQ(client().Get(path + "?from=2026-07-04&to=2026-07-05").status, 200);
}

TEST_F(Calendar, PatchChangesTheEventAndBumpsTheVersion) {
  std::string id = AddEvent("2026-07-04T19:30:00-07:00", "100m heats");
  std::string path = CalendarPath(athlete_) + "/" + id;
  HttpResponse renamed = client().Patch(path, {{"name", "100m semi-final"}}, athlete_.token);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.Header("etag"), "\"2\"");
  EXPECT_EQ(Str(renamed.Json().at("name")), "100m semi-final");
  EXPECT_EQ(Str(renamed.Json().at("date_time")), "2026-07-04T19:30:00-07:00");
  EXPECT_EQ(renamed.Json().at("version").as_int64(), 2);
  EXPECT_EQ(client().Get("/events/" + id).Json(), renamed.Json());

  HttpResponse moved = client().Patch(
      path, {{"date_time", "2026-07-05T23:30:00-07:00"}, {"notes", "Moved"}}, athlete_.token);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Str(moved.Json().at("date_time")), "2026-07-05T23:30:00-07:00");
  EXPECT_EQ(Str(moved.Json().at("notes")), "Moved");
  EXPECT_EQ(Str(moved.Json().at("name")), "100m semi-final");
  EXPECT_EQ(moved.Json().at("version").as_int64(), 3);

  // Moving it to another competition, on a day of that one.
  std::string other_meet =
      Str(CreateCompetition(organizer_, "Other meet", "2026-09-01", "2026-09-01").at("id"));
  HttpResponse elsewhere = client().Patch(
      path, {{"competition_id", other_meet}, {"date_time", "2026-09-01T18:00:00+02:00"}},
      athlete_.token);
  ASSERT_EQ(elsewhere.status, 200) << elsewhere.body;
  EXPECT_EQ(Str(elsewhere.Json().at("competition_id")), other_meet);
}

TEST_F(Calendar, APatchThatBreaksTheRulesIs422AndChangesNothing) {
  std::string id = AddEvent("2026-07-04T19:30:00-07:00");
  std::string path = CalendarPath(athlete_) + "/" + id;
  HttpResponse outside =
      client().Patch(path, {{"date_time", "2026-07-06T19:30:00-07:00"}}, athlete_.token);
  EXPECT_EQ(outside.status, 422);
  EXPECT_TRUE(NamesField(outside, "date_time"));
  HttpResponse unknown = client().Patch(path, {{"competition_id", kUnknownId}}, athlete_.token);
  EXPECT_EQ(unknown.status, 422);
  EXPECT_TRUE(NamesField(unknown, "competition_id"));
  // Another competition whose dates do not contain the event's day.
  std::string later =
      Str(CreateCompetition(organizer_, "Later", "2026-09-01", "2026-09-02").at("id"));
  HttpResponse wrong_days = client().Patch(path, {{"competition_id", later}}, athlete_.token);
  EXPECT_EQ(wrong_days.status, 422);
  EXPECT_TRUE(NamesField(wrong_days, "date_time"));
  HttpResponse empty_name = client().Patch(path, {{"name", ""}}, athlete_.token);
  EXPECT_EQ(empty_name.status, 422);
  EXPECT_TRUE(NamesField(empty_name, "name"));

  HttpResponse current = client().Get("/events/" + id);
  EXPECT_EQ(current.Json().at("version").as_int64(), 1);
  EXPECT_EQ(Str(current.Json().at("date_time")), "2026-07-04T19:30:00-07:00");
  EXPECT_EQ(Str(current.Json().at("competition_id")), competition_id_);
}

TEST_F(Calendar, AStaleIfMatchIs412AndChangesNothing) {
  std::string id = AddEvent("2026-07-04T19:30:00-07:00", "Heats");
  std::string path = CalendarPath(athlete_) + "/" + id;
  ASSERT_EQ(
      client().Patch(path, {{"name", "Final"}}, athlete_.token, {{"If-Match", "\"1\""}}).status,
      200);
  HttpResponse stale =
      client().Patch(path, {{"name", "Lost update"}}, athlete_.token, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(ErrorCodeOf(stale), "precondition_failed");
  EXPECT_EQ(Str(client().Get("/events/" + id).Json().at("name")), "Final");
  EXPECT_EQ(client().Delete(path, athlete_.token, {{"If-Match", "\"1\""}}).status, 412);
  EXPECT_EQ(client().Get("/events/" + id).status, 200);
  EXPECT_EQ(client().Delete(path, athlete_.token, {{"If-Match", "\"2\""}}).status, 204);
}

TEST_F(Calendar, OnlyTheAthleteOrAnAdminMayChangeOrDeleteEvents) {
  std::string id = AddEvent("2026-07-04T19:30:00-07:00", "Heats");
  std::string path = CalendarPath(athlete_) + "/" + id;
  Account other = SignUp();
  EXPECT_EQ(client().Patch(path, {{"name", "Hacked"}}, other.token).status, 403);
  EXPECT_EQ(client().Delete(path, other.token).status, 403);
  EXPECT_EQ(client().Patch(path, {{"name", "Hacked"}}).status, 401);
  EXPECT_EQ(client().Delete(path).status, 401);
  EXPECT_EQ(Str(client().Get("/events/" + id).Json().at("name")), "Heats");

  GrantAdmin(other);
  other.token = SignIn(other.username, other.password);
  HttpResponse by_admin = client().Patch(path, {{"name", "Final"}}, other.token);
  ASSERT_EQ(by_admin.status, 200) << by_admin.body;
  EXPECT_EQ(Str(by_admin.Json().at("athlete_id")), athlete_.id);
  EXPECT_EQ(client().Delete(path, other.token).status, 204);
  EXPECT_EQ(client().Get("/events/" + id).status, 404);
}

TEST_F(Calendar, AnEventOfAnotherAthleteIsNotFoundUnderThisAthletesPath) {
  std::string id = AddEvent("2026-07-04T19:30:00-07:00", "Heats");
  Account rival = SignUp("rival");
  BecomeAthlete(rival, "Julien", "Alfred");
  std::string wrong_path = CalendarPath(rival) + "/" + id;
  HttpResponse patch = client().Patch(wrong_path, {{"name", "Stolen"}}, rival.token);
  EXPECT_EQ(patch.status, 404);
  EXPECT_EQ(ErrorCodeOf(patch), "not_found");
  EXPECT_EQ(client().Delete(wrong_path, rival.token).status, 404);
  HttpResponse event = client().Get("/events/" + id);
  ASSERT_EQ(event.status, 200);
  EXPECT_EQ(Str(event.Json().at("name")), "Heats");
  EXPECT_EQ(event.Json().at("version").as_int64(), 1);
  EXPECT_TRUE(Listed(CalendarPath(rival)).empty());

  EXPECT_EQ(client()
                .Patch(CalendarPath(athlete_) + "/" + kUnknownId, {{"name", "x"}}, athlete_.token)
                .status,
            404);
  EXPECT_EQ(client().Delete(CalendarPath(athlete_) + "/not-an-id", athlete_.token).status, 404);
}

TEST_F(Calendar, DeleteAnswers204AndTheEventIsGone) {
  std::string kept = AddEvent("2026-07-04T10:00:00-07:00", "Kept");
  std::string id = AddEvent("2026-07-04T19:30:00-07:00", "Deleted");
  std::string path = CalendarPath(athlete_) + "/" + id;
  HttpResponse deleted = client().Delete(path, athlete_.token);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  EXPECT_EQ(client().Get("/events/" + id).status, 404);
  EXPECT_EQ(client().Delete(path, athlete_.token).status, 404);
  EXPECT_EQ(Listed(CalendarPath(athlete_), "id"), (std::vector<std::string>{kept}));
}

TEST_F(Calendar, ChangingACompetitionsDatesAwayFromItsEventsIs409AndChangesNothing) {
  // On the last local day, although in UTC it is already 2026-07-06.
  std::string id = AddEvent("2026-07-05T23:30:00-07:00");
  std::string competition_path = "/competitions/" + competition_id_;
  HttpResponse shortened =
      client().Patch(competition_path, {{"end_date", "2026-07-04"}}, organizer_.token);
  EXPECT_EQ(shortened.status, 409) << shortened.body;
  EXPECT_EQ(ErrorCodeOf(shortened), "conflict");
  // Its UTC day would fit these dates, its local day does not.
  HttpResponse shifted =
      client().Patch(competition_path, {{"start_date", "2026-07-06"}, {"end_date", "2026-07-07"}},
                     organizer_.token);
  EXPECT_EQ(shifted.status, 409) << shifted.body;
  HttpResponse unchanged = client().Get(competition_path);
  EXPECT_EQ(Str(unchanged.Json().at("start_date")), "2026-07-04");
  EXPECT_EQ(Str(unchanged.Json().at("end_date")), "2026-07-05");
  EXPECT_EQ(unchanged.Json().at("version").as_int64(), 1);

  // Dates that still contain the event are fine.
  HttpResponse kept_inside =
      client().Patch(competition_path, {{"start_date", "2026-07-05"}, {"end_date", "2026-07-06"}},
                     organizer_.token);
  ASSERT_EQ(kept_inside.status, 200) << kept_inside.body;
  EXPECT_EQ(Str(kept_inside.Json().at("start_date")), "2026-07-05");
  EXPECT_EQ(client().Get("/events/" + id).status, 200);
}

TEST_F(Calendar, DeletingACompetitionDeletesItsEvents) {
  std::string first = AddEvent("2026-07-04T19:30:00-07:00", "Heats");
  std::string second = AddEvent("2026-07-05T19:30:00-07:00", "Final");
  std::string elsewhere_meet =
      Str(CreateCompetition(organizer_, "Elsewhere", "2026-09-01", "2026-09-01").at("id"));
  std::string elsewhere = AddEvent("2026-09-01T18:00:00+02:00", "Elsewhere", elsewhere_meet);
  ASSERT_EQ(client().Delete("/competitions/" + competition_id_, organizer_.token).status, 204);
  EXPECT_EQ(client().Get("/events/" + first).status, 404);
  EXPECT_EQ(client().Get("/events/" + second).status, 404);
  EXPECT_EQ(client().Get("/events/" + elsewhere).status, 200);
  EXPECT_EQ(Listed(CalendarPath(athlete_), "id"), (std::vector<std::string>{elsewhere}));
}

}  // namespace
}  // namespace tt::testing
