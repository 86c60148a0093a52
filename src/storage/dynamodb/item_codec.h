// How DynamoDbStore lays domain values out as DynamoDB items (in the table layout of
// item_layout.h) and back: the item of each resource, and readers that turn a stored item into a
// domain value. docs/DYNAMODB.md describes the same layout for people; keep the two in step.
//
// Items hold only plain DynamoDB types (S, N, BOOL, L, NULL), so any client can read them:
// timestamps are RFC 3339 UTC text (FormatUtc), dates `YYYY-MM-DD`, an absent optional value is
// NULL. Pure functions, safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/athlete.h"
#include "domain/change.h"
#include "domain/competition.h"
#include "domain/error.h"
#include "domain/event.h"
#include "domain/time.h"
#include "domain/user.h"
#include "domain/webhook.h"
#include "domain/webhook_delivery.h"
#include "log/logger.h"
#include "storage/dynamodb/item_layout.h"

namespace tt::dynamodb {

// ---- Items -------------------------------------------------------------------------------------

// A user's item; `session_epoch` starts at 0 and counts password changes (see FindSession).
Item UserItem(const User& user, std::string_view password_hash);
// The attributes UpdateUser rewrites with every update: the members every update rewrites (of
// kUserFields). A new password hash and session epoch are set by hand.
std::vector<std::string_view> UserUpdatedAttributes();
// The claim on a username key: unique by its key, naming the user that holds it.
Item UsernameItem(std::string_view username_key, std::string_view user_id, Timestamp claimed_at);
Item SessionItem(const Session& session, int64_t session_epoch);
Item SignInFailureItem(std::string_view username_key, Timestamp at, std::string_view unique);
Item CompetitionItem(const Competition& competition);
// The attributes UpdateCompetition rewrites: the members every update rewrites
// (RewrittenByUpdates of kCompetitionFields) and what CompetitionItem derives from them.
std::vector<std::string_view> CompetitionUpdatedAttributes();
// `username` is the user's, copied so that lists need not read users.
Item AthleteItem(const Athlete& athlete, std::string_view username);
// The attributes UpdateAthlete rewrites: the members every update rewrites (of kAthleteFields)
// and what AthleteItem derives from them, its list key included.
std::vector<std::string_view> AthleteUpdatedAttributes();
Item FollowItem(std::string_view user_id, std::string_view athlete_id, Timestamp followed_at);
Item EventItem(const Event& event);
// The attributes UpdateEvent rewrites: the members every update rewrites (of kEventFields) and
// what EventItem derives from them, its index keys included (the competition may change).
std::vector<std::string_view> EventUpdatedAttributes();
// A change record (type `change`), and the tombstone a reader puts on an id it closes.
Item ChangeItem(const Change& change);
Item ChangeTombstoneItem(int64_t id, Timestamp closed_at);
// A webhook endpoint with its sealed secrets, in the webhooks list of gsi1 by creation.
Item WebhookEndpointItem(const WebhookEndpoint& endpoint, const WebhookSecrets& secrets);
// A delivery; a pending one is in gsi1's due list by next_attempt_at. No lease attributes.
Item DeliveryItem(const WebhookDelivery& delivery);
// The attributes UpdateWebhookEndpoint rewrites; with `secrets`, the secrets' too.
std::vector<std::string_view> WebhookEndpointUpdatedAttributes(bool secrets);
// The gsi1 sort key of the old webhooks list: "<created_at instant>#<id>".
std::string WebhookListKey(Timestamp created_at, std::string_view id);

// ---- Readers -----------------------------------------------------------------------------------
// Each logs a malformed item (which attribute, under which key) and answers kInternal.

Result<User> ReadUser(const Item& item, bool is_athlete, Logger& logger);
Result<std::string> ReadPasswordHash(const Item& item, Logger& logger);
int64_t ReadSessionEpoch(const Item& item);  // 0 when absent
Result<Session> ReadSession(const Item& item, Logger& logger);
Result<Timestamp> ReadSignInFailure(const Item& item, Logger& logger);
Result<Competition> ReadCompetition(const Item& item, Logger& logger);
Result<Athlete> ReadAthlete(const Item& item, Logger& logger);
Result<Event> ReadEvent(const Item& item, Logger& logger);
// What every item of the change log has: its id, its time, and whether it is a tombstone.
struct ChangeSlot {
  int64_t id = 0;
  Timestamp occurred_at{};
  bool tombstone = false;
};
Result<ChangeSlot> ReadChangeSlot(const Item& item, Logger& logger);
// The change a record (not a tombstone) holds.
Result<Change> ReadChange(const Item& item, Logger& logger);
Result<WebhookEndpoint> ReadWebhookEndpoint(const Item& item, Logger& logger);
Result<WebhookSecrets> ReadWebhookSecrets(const Item& item, Logger& logger);
Result<WebhookDelivery> ReadDelivery(const Item& item, Logger& logger);
// The page of at most `limit` resources that `items` (the first limit + 1 a list read, in order)
// make, each read by `read`; has_more when there were more than `limit`.
template <typename T>
Result<Page<T>> ReadPage(std::vector<Item> items, size_t limit,
                         Result<T> (*read)(const Item&, Logger&), Logger& logger) {
  Page<T> page;
  page.has_more = items.size() > limit;
  if (page.has_more) items.resize(limit);
  page.items.reserve(items.size());
  for (const Item& item : items) {
    Result<T> value = read(item, logger);
    if (!value.ok()) return std::move(value).error();
    page.items.push_back(std::move(*value));
  }
  return page;
}

struct FollowRecord {
  std::string user_id;
  std::string athlete_id;
  Timestamp followed_at{};
};
Result<FollowRecord> ReadFollow(const Item& item, Logger& logger);

}  // namespace tt::dynamodb
