#include "api/encoding.h"

#include <boost/json/serialize.hpp>

namespace tt::api {
namespace json = boost::json;
namespace {

json::value NullableString(const std::optional<std::string>& value) {
  if (!value) return nullptr;
  return json::string(*value);
}

}  // namespace

json::object UserJson(const User& user, bool include_email) {
  json::object out;
  out["id"] = user.id;
  out["username"] = user.username;
  out["display_name"] = user.display_name;
  if (include_email) out["email"] = NullableString(user.email);
  out["is_athlete"] = user.is_athlete;
  out["is_admin"] = user.is_admin;
  out["created_at"] = FormatUtc(user.created_at);
  out["updated_at"] = FormatUtc(user.updated_at);
  out["version"] = user.version;
  return out;
}

json::object CompetitionJson(const Competition& competition) {
  json::object out;
  out["id"] = competition.id;
  out["name"] = competition.name;
  out["location"] = competition.location;
  out["start_date"] = competition.start_date.ToString();
  out["end_date"] = competition.end_date.ToString();
  out["description"] = NullableString(competition.description);
  out["url"] = NullableString(competition.url);
  out["created_by"] = NullableString(competition.created_by);
  out["created_at"] = FormatUtc(competition.created_at);
  out["updated_at"] = FormatUtc(competition.updated_at);
  out["version"] = competition.version;
  return out;
}

json::object AthleteJson(const Athlete& athlete) {
  json::object out;
  out["id"] = athlete.id;
  out["username"] = athlete.username;
  out["first_name"] = athlete.first_name;
  out["last_name"] = athlete.last_name;
  out["bio"] = NullableString(athlete.bio);
  out["birthday"] = athlete.birthday ? json::value(athlete.birthday->ToString()) : nullptr;
  out["team"] = NullableString(athlete.team);
  out["country"] = NullableString(athlete.country);
  json::array disciplines;
  for (const std::string& discipline : athlete.disciplines) disciplines.emplace_back(discipline);
  out["disciplines"] = std::move(disciplines);
  out["follower_count"] = athlete.follower_count;
  out["created_at"] = FormatUtc(athlete.created_at);
  out["updated_at"] = FormatUtc(athlete.updated_at);
  out["version"] = athlete.version;
  return out;
}

json::object EventJson(const Event& event) {
  json::object out;
  out["id"] = event.id;
  out["athlete_id"] = event.athlete_id;
  out["competition_id"] = event.competition_id;
  out["name"] = event.name;
  out["date_time"] = event.date_time.ToString();
  out["notes"] = NullableString(event.notes);
  out["created_at"] = FormatUtc(event.created_at);
  out["updated_at"] = FormatUtc(event.updated_at);
  out["version"] = event.version;
  return out;
}

json::object FeedEntryJson(const FeedEntry& entry) {
  json::array athletes;
  for (const FeedAthlete& athlete : entry.athletes) {
    json::array events;
    for (const Event& event : athlete.events) {
      events.push_back(json::object{
          {"id", event.id}, {"name", event.name}, {"date_time", event.date_time.ToString()}});
    }
    athletes.push_back(json::object{{"id", athlete.id},
                                    {"first_name", athlete.first_name},
                                    {"last_name", athlete.last_name},
                                    {"events", std::move(events)}});
  }
  return json::object{{"competition", CompetitionJson(entry.competition)},
                      {"athletes", std::move(athletes)}};
}

Response JsonResponse(int status, const json::value& body) {
  Response response;
  response.status = status;
  response.body = json::serialize(body);
  return response;
}

Response ResourceResponse(int status, const json::object& body, int64_t version,
                          std::optional<std::string> location) {
  Response response = JsonResponse(status, body);
  response.headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
  if (location) response.headers.emplace_back("Location", std::move(*location));
  return response;
}

Response PageResponse(json::array items, const std::optional<std::string>& next_cursor) {
  json::object body;
  body["items"] = std::move(items);
  body["next_cursor"] = NullableString(next_cursor);
  return JsonResponse(200, body);
}

Response NoContent() {
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

}  // namespace tt::api
