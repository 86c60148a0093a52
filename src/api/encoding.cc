#include "api/encoding.h"

#include <boost/json/serialize.hpp>

namespace tt::api {

namespace {

// Every member of `resource` that `fields` lists (domain/fields.h), in order; one shown only to
// its owner and admins (Shown::kToOwnerAndAdmins) only `to_owner_or_admin`.
template <typename Table, typename Resource>
void WriteFields(JsonWriter& out, const Table& fields, const Resource& resource,
                 bool to_owner_or_admin = false) {
  ForEachField(fields, [&](const auto& entry) {
    if (entry.shown == Shown::kToOwnerAndAdmins && !to_owner_or_admin) return;
    out.Member(entry.name, resource.*entry.member);
  });
}

}  // namespace

void WriteUser(JsonWriter& out, const User& user, bool include_email) {
  out.BeginObject();
  WriteFields(out, kUserFields, user, /*to_owner_or_admin=*/include_email);
  out.EndObject();
}

void WriteCompetition(JsonWriter& out, const Competition& competition) {
  out.BeginObject();
  WriteFields(out, kCompetitionFields, competition);
  out.EndObject();
}

namespace {

// The athlete's members, without the braces, so that a followed athlete can add one.
void WriteAthleteMembers(JsonWriter& out, const Athlete& athlete) {
  WriteFields(out, kAthleteFields, athlete);
}

template <typename Value, typename Write>
std::string ToJson(const Value& value, Write write) {
  std::string text;
  text.reserve(512);
  JsonWriter out(text);
  write(out, value);
  return text;
}

}  // namespace

void WriteAthlete(JsonWriter& out, const Athlete& athlete) {
  out.BeginObject();
  WriteAthleteMembers(out, athlete);
  out.EndObject();
}

void WriteFollowedAthlete(JsonWriter& out, const FollowedAthlete& followed) {
  out.BeginObject();
  WriteAthleteMembers(out, followed.athlete);
  out.Member("followed_at", followed.followed_at);
  out.EndObject();
}

namespace {

void WriteEventMembers(JsonWriter& out, const Event& event) {
  WriteFields(out, kEventFields, event);
}

}  // namespace

void WriteEvent(JsonWriter& out, const Event& event) {
  out.BeginObject();
  WriteEventMembers(out, event);
  out.EndObject();
}

void WriteStartListEntry(JsonWriter& out, const StartListEntry& entry) {
  out.BeginObject();
  WriteEventMembers(out, entry.event);
  out.Key("athlete");
  out.BeginObject();
  out.Member("id", entry.athlete.id);
  out.Member("first_name", entry.athlete.first_name);
  out.Member("last_name", entry.athlete.last_name);
  out.Member("country", entry.athlete.country);
  out.Member("team", entry.athlete.team);
  out.EndObject();
  out.EndObject();
}

void WriteFollower(JsonWriter& out, const Follower& follower) {
  out.BeginObject();
  out.Member("id", follower.id);
  out.Member("username", follower.username);
  out.Member("display_name", follower.display_name);
  out.Member("followed_at", follower.followed_at);
  out.EndObject();
}

void WriteFeedEntry(JsonWriter& out, const FeedEntry& entry) {
  out.BeginObject();
  out.Key("competition");
  WriteCompetition(out, entry.competition);
  out.Key("athletes");
  out.BeginArray();
  for (const FeedAthlete& athlete : entry.athletes) {
    out.BeginObject();
    out.Member("id", athlete.id);
    out.Member("first_name", athlete.first_name);
    out.Member("last_name", athlete.last_name);
    out.Key("events");
    out.BeginArray();
    for (const Event& event : athlete.events) {
      out.BeginObject();
      out.Member("id", event.id);
      out.Member("name", event.name);
      out.Member("date_time", event.date_time);
      out.EndObject();
    }
    out.EndArray();
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
}

void WriteWebhookEndpoint(JsonWriter& out, const WebhookEndpoint& endpoint) {
  out.BeginObject();
  WriteFields(out, kWebhookEndpointFields, endpoint);
  out.EndObject();
}

void WriteWebhookDelivery(JsonWriter& out, const WebhookDelivery& delivery) {
  out.BeginObject();
  out.Member("id", FormatChangeId(delivery.change_id));
  out.Member("webhook_id", WebhookMessageId(delivery.change_id));
  out.Member("change_id", FormatChangeId(delivery.change_id));
  out.Member("type", ChangeTypeName(delivery.type));
  out.Member("status", DeliveryStatusName(delivery.status));
  out.Member("attempts", delivery.attempts);
  out.Key("last_response_code");
  if (delivery.last_response_code.has_value()) {
    out.Int(*delivery.last_response_code);
  } else {
    out.Null();
  }
  out.Member("last_error", delivery.last_error);
  out.Key("last_attempt_at");
  if (delivery.last_attempt_at.has_value()) {
    out.Timestamp(*delivery.last_attempt_at);
  } else {
    out.Null();
  }
  out.Key("next_attempt_at");
  if (delivery.status == DeliveryStatus::kPending) {
    out.Timestamp(delivery.next_attempt_at);
  } else {
    out.Null();
  }
  out.Member("created_at", delivery.created_at);
  out.EndObject();
}

std::string UserJson(const User& user, bool include_email) {
  return ToJson(user, [include_email](JsonWriter& out, const User& value) {
    WriteUser(out, value, include_email);
  });
}

std::string CompetitionJson(const Competition& competition) {
  return ToJson(competition, &WriteCompetition);
}

std::string AthleteJson(const Athlete& athlete) { return ToJson(athlete, &WriteAthlete); }

std::string EventJson(const Event& event) { return ToJson(event, &WriteEvent); }

std::string WebhookEndpointJson(const WebhookEndpoint& endpoint,
                                const std::optional<std::string>& secret) {
  std::string text;
  text.reserve(512);
  JsonWriter out(text);
  out.BeginObject();
  WriteFields(out, kWebhookEndpointFields, endpoint);
  if (secret.has_value()) out.Member("secret", *secret);
  out.EndObject();
  return text;
}

std::string WebhookDeliveryJson(const WebhookDelivery& delivery) {
  return ToJson(delivery, &WriteWebhookDelivery);
}

Response JsonResponse(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response JsonResponse(int status, const boost::json::value& body) {
  return JsonResponse(status, boost::json::serialize(body));
}

Response ResourceResponse(int status, std::string body, int64_t version,
                          std::optional<std::string> location) {
  Response response = JsonResponse(status, std::move(body));
  response.headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
  if (location) response.headers.emplace_back("Location", std::move(*location));
  return response;
}

Response NoContent() {
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

}  // namespace tt::api
