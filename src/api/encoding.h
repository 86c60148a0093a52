// Encoding domain values as the contract's JSON, and the common shapes of successful answers.
// Bodies are written with JsonWriter straight into the response's string (see json_writer.h).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/json_writer.h"
#include "api/request.h"
#include "domain/athlete.h"
#include "domain/competition.h"
#include "domain/event.h"
#include "domain/feed.h"
#include "domain/user.h"
#include "domain/webhook.h"
#include "domain/webhook_delivery.h"

namespace tt::api {

// Each writes one object at the writer's position. `email` is included only for the user
// itself and admins.
void WriteUser(JsonWriter& out, const User& user, bool include_email);
void WriteCompetition(JsonWriter& out, const Competition& competition);
void WriteAthlete(JsonWriter& out, const Athlete& athlete);
// An athlete object with `followed_at` added.
void WriteFollowedAthlete(JsonWriter& out, const FollowedAthlete& followed);
void WriteEvent(JsonWriter& out, const Event& event);
void WriteFeedEntry(JsonWriter& out, const FeedEntry& entry);
// An event with its athlete's summary embedded as `athlete`.
void WriteStartListEntry(JsonWriter& out, const StartListEntry& entry);
// A follower's public profile with `followed_at`.
void WriteFollower(JsonWriter& out, const Follower& follower);

void WriteWebhookEndpoint(JsonWriter& out, const WebhookEndpoint& endpoint);
// A delivery as GET /webhooks/{id}/deliveries lists it (its `id` is its change's).
void WriteWebhookDelivery(JsonWriter& out, const WebhookDelivery& delivery);

// The JSON text of one resource.
std::string UserJson(const User& user, bool include_email);
std::string CompetitionJson(const Competition& competition);
std::string AthleteJson(const Athlete& athlete);
std::string EventJson(const Event& event);
// `secret`, when given, is added (it is shown once, when created or rotated).
std::string WebhookEndpointJson(const WebhookEndpoint& endpoint,
                                const std::optional<std::string>& secret = std::nullopt);
std::string WebhookDeliveryJson(const WebhookDelivery& delivery);

// `body` is JSON text.
Response JsonResponse(int status, std::string body);
Response JsonResponse(int status, const boost::json::value& body);
// A single resource with `ETag: "<version>"`, and `Location` when given (creations).
Response ResourceResponse(int status, std::string body, int64_t version,
                          std::optional<std::string> location = std::nullopt);

// {"items": [...], "next_cursor": cursor-or-null}, each item written by
// `write_item(JsonWriter&, const Item&)`.
template <typename Item, typename WriteItem>
Response PageResponse(const std::vector<Item>& items, WriteItem write_item,
                      const std::optional<std::string>& next_cursor) {
  std::string body;
  body.reserve(256 + 512 * items.size());
  JsonWriter out(body);
  out.BeginObject();
  out.Key("items");
  out.BeginArray();
  for (const Item& item : items) write_item(out, item);
  out.EndArray();
  out.Member("next_cursor", next_cursor);
  out.EndObject();
  return JsonResponse(200, std::move(body));
}

// The answer to a list request: `page`'s items and, when more follow, the cursor after its last
// item, which `cursor_after(item)` encodes.
template <typename Item, typename WriteItem, typename CursorAfter>
Response PageResponse(const Page<Item>& page, WriteItem write_item, CursorAfter cursor_after) {
  std::optional<std::string> next;
  if (page.has_more && !page.items.empty()) next = cursor_after(page.items.back());
  return PageResponse(page.items, write_item, next);
}

Response NoContent();

}  // namespace tt::api
