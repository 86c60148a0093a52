// The layout of DynamoDbStore's one table: the key of every item, the sort keys of the indexes,
// attribute values in DynamoDB's JSON form ({"S": "..."}) and the placeholders of expressions.
// docs/DYNAMODB.md describes the same layout for people; keep the two in step. item_codec.h
// lays domain values out in it.
//
// Pure functions, safe to call from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time.h"

namespace tt::dynamodb {

using Item = boost::json::object;

// ---- Table layout ------------------------------------------------------------------------------

inline constexpr std::string_view kPk = "pk";
inline constexpr std::string_view kSk = "sk";
inline constexpr std::string_view kGsi1 = "gsi1";  // index name; its keys are gsi1pk/gsi1sk
inline constexpr std::string_view kGsi1Pk = "gsi1pk";
inline constexpr std::string_view kGsi1Sk = "gsi1sk";
inline constexpr std::string_view kGsi2 = "gsi2";
inline constexpr std::string_view kGsi2Pk = "gsi2pk";
inline constexpr std::string_view kGsi2Sk = "gsi2sk";
// Epoch seconds after which DynamoDB's TTL may delete a session or a sign-in failure.
inline constexpr std::string_view kTtl = "ttl";

// Sort keys within a user's partition ("user#<id>"): the profile items share a prefix so that
// one Query reads both, and the follows sort before them.
inline constexpr std::string_view kProfilePrefix = "profile#";
inline constexpr std::string_view kUserSk = "profile#user";
inline constexpr std::string_view kAthleteSk = "profile#athlete";
inline constexpr std::string_view kFollowPrefix = "follow#";

// Constant index partitions that hold whole lists.
inline constexpr std::string_view kCompetitionList = "competitions";
inline constexpr std::string_view kAthleteList = "athletes";
// Webhook endpoints were listed here before data version 2 (now: WebhookRegistryKey); still
// written, and read beside the registry, for instances of the earlier version.
inline constexpr std::string_view kLegacyWebhookList = "webhooks";

std::string UserPk(std::string_view user_id);
std::string FollowingPk(std::string_view user_id);     // gsi1pk of a user's follows
std::string FollowersPk(std::string_view athlete_id);  // gsi2pk of the follows of an athlete
std::string SessionsPk(std::string_view user_id);      // gsi1pk of a user's sessions
std::string CalendarPk(std::string_view athlete_id);   // gsi1pk of an athlete's events
std::string CompetitionEventsPk(std::string_view competition_id);  // gsi2pk of its events
std::string CreatedByPk(std::string_view user_id);  // gsi2pk of competitions a user created
std::string SignInFailuresPk(std::string_view username_key);
// The partition key attribute of index `index`: kGsi1Pk of kGsi1, kGsi2Pk of kGsi2.
std::string_view PartitionKeyOf(std::string_view index);

Item Key(std::string_view pk, std::string_view sk);
Item UserKey(std::string_view user_id);
Item AthleteKey(std::string_view athlete_id);
Item FollowKey(std::string_view user_id, std::string_view athlete_id);
Item UsernameKeyItemKey(std::string_view username_key);
Item SessionKey(std::string_view token_hash);
Item CompetitionKey(std::string_view competition_id);
Item EventKey(std::string_view event_id);
Item WebhookKey(std::string_view webhook_id);
// A delivery lives in its endpoint's partition, so that deleting the endpoint finds them all.
Item DeliveryKey(std::string_view webhook_id, int64_t change_id);
inline constexpr std::string_view kDeliveryPrefix = "delivery#";
// gsi1 of pending deliveries: a partition per endpoint, ordered by when each is due, so that a
// claim reads only enabled endpoints' lists and a backlog at one costs the others nothing.
std::string DueDeliveriesPk(std::string_view webhook_id);
// The one list of every endpoint's pending deliveries before data version 2 (migrations).
inline constexpr std::string_view kLegacyDueDeliveries = "deliveries-due";
std::string DueDeliveryKey(Timestamp next_attempt_at, std::string_view webhook_id,
                           int64_t change_id);
// The fan-out position and its lease.
Item FanOutKey();
// The registry of webhook endpoints: a string set `ids` of every endpoint's id, read
// consistently, where gsi1's list of them may lag a creation.
Item WebhookRegistryKey();
// The one item of store-wide facts (the longest competition span).
Item MetaKey();
// A change record's key: partition "changes", sort key the id zero-padded to 19 digits, so that
// the partition's order is id order.
Item ChangeKey(int64_t id);
std::string ChangeSortKey(int64_t id);
// The id a ChangeSortKey spells, or nullopt for any other text.
std::optional<int64_t> ParseChangeSortKey(std::string_view sort_key);
inline constexpr std::string_view kChangesPk = "changes";

// ---- Index sort keys ---------------------------------------------------------------------------
// Each is a string whose byte order (DynamoDB compares UTF-8 bytes) is the list's order.

// 20 decimal digits, the microseconds offset by 2^63, so that earlier instants sort first.
std::string SortableInstant(Timestamp instant);
// An offset is at most ±23:59, so an event's local day and its UTC day differ by at most one:
// local day D lies within [MidnightUtc(D) - kMaxUtcOffset, MidnightUtc(D + 1) + kMaxUtcOffset).
inline constexpr std::chrono::hours kMaxUtcOffset{24};
Timestamp MidnightUtc(const Date& date);
// "<start_date>#<id>".
std::string CompetitionListKey(const Date& start_date, std::string_view id);
// The tuple (last_key, first_key, id) in one string. Each name key is escaped so that no byte
// sorts below its terminator ("\x01\x01"): 0x00 -> "\x01\x02", 0x01 -> "\x01\x03".
std::string AthleteListKey(std::string_view last_key, std::string_view first_key,
                           std::string_view id);
// "<SortableInstant(instant)>#<id>".
std::string CalendarKey(Timestamp instant, std::string_view id);
// "<local_date>#<id>".
std::string EventDayKey(const Date& local_date, std::string_view id);
// "<SortableInstant(followed_at)>#<id>": a follow's gsi1sk among the user's follows (id: the
// athlete's) and its gsi2sk among the athlete's followers (id: the user's), so both lists read
// newest first.
std::string FollowingKey(Timestamp followed_at, std::string_view id);

// ---- Attribute values --------------------------------------------------------------------------

boost::json::object S(std::string_view text);
boost::json::object N(int64_t number);
boost::json::object Bool(bool value);
boost::json::object Null();
boost::json::object OptionalS(const std::optional<std::string>& text);
boost::json::object StringList(std::span<const std::string> values);

// The S value of `name` in `item`, or empty when it is absent or not a string.
std::string_view StringOf(const Item& item, std::string_view name);
// The value of attribute `name` of `type` ("S", "N"...), or nullptr when the item lacks it or
// holds another type there.
const boost::json::value* TypedValue(const Item& item, std::string_view name,
                                     std::string_view type);

// ---- Expressions -------------------------------------------------------------------------------

// Names every attribute and value of an expression by placeholder (#n0, :v0), so that reserved
// words (name, location, ttl...) and any value can appear, then writes the maps into a request.
class Expression {
 public:
  // The placeholder of attribute `attribute`.
  std::string Name(std::string_view attribute);
  // The placeholder of `value`, an attribute value such as S("x").
  std::string Value(boost::json::object value);
  // "SET #a = :a, ..." for `attributes`, each taking its value from `item`.
  std::string SetFrom(const Item& item, std::initializer_list<std::string_view> attributes);
  std::string SetFrom(const Item& item, std::span<const std::string_view> attributes);
  // Adds ExpressionAttributeNames/Values (when any) to `request`.
  void AddTo(Item& request) const;

 private:
  boost::json::object names_;
  boost::json::object values_;
};

}  // namespace tt::dynamodb
