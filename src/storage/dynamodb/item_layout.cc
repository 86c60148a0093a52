#include "storage/dynamodb/item_layout.h"

#include <boost/json/array.hpp>
#include <cstdio>
#include <utility>

#include "domain/change.h"

namespace tt::dynamodb {
namespace json = boost::json;
namespace {

std::string EscapeNameBytes(std::string_view key) {
  std::string escaped;
  escaped.reserve(key.size() + 2);
  for (const char c : key) {
    if (c == '\x00') {
      escaped += "\x01\x02";
    } else if (c == '\x01') {
      escaped += "\x01\x03";
    } else {
      escaped.push_back(c);
    }
  }
  return escaped;
}

}  // namespace

const json::value* TypedValue(const Item& item, std::string_view name, std::string_view type) {
  const json::value* attribute = item.if_contains(name);
  if (attribute == nullptr || !attribute->is_object()) return nullptr;
  return attribute->get_object().if_contains(type);
}

// ---- Keys ---------------------------------------------------------------------------------------

std::string UserPk(std::string_view user_id) { return "user#" + std::string(user_id); }
std::string FollowingPk(std::string_view user_id) { return "following#" + std::string(user_id); }
std::string FollowersPk(std::string_view athlete_id) {
  return "followers#" + std::string(athlete_id);
}
std::string SessionsPk(std::string_view user_id) { return "sessions#" + std::string(user_id); }
std::string CalendarPk(std::string_view athlete_id) {
  return "calendar#" + std::string(athlete_id);
}
std::string CompetitionEventsPk(std::string_view competition_id) {
  return "competition_events#" + std::string(competition_id);
}
std::string CreatedByPk(std::string_view user_id) { return "created_by#" + std::string(user_id); }
std::string SignInFailuresPk(std::string_view username_key) {
  return "sign_in_failures#" + std::string(username_key);
}

std::string_view PartitionKeyOf(std::string_view index) {
  return index == kGsi1 ? kGsi1Pk : kGsi2Pk;
}

Item Key(std::string_view pk, std::string_view sk) { return Item{{kPk, S(pk)}, {kSk, S(sk)}}; }
Item UserKey(std::string_view user_id) { return Key(UserPk(user_id), kUserSk); }
Item AthleteKey(std::string_view athlete_id) { return Key(UserPk(athlete_id), kAthleteSk); }
Item FollowKey(std::string_view user_id, std::string_view athlete_id) {
  return Key(UserPk(user_id), std::string(kFollowPrefix) + std::string(athlete_id));
}
Item UsernameKeyItemKey(std::string_view username_key) {
  return Key("username#" + std::string(username_key), "username");
}
Item SessionKey(std::string_view token_hash) {
  return Key("session#" + std::string(token_hash), "session");
}
Item CompetitionKey(std::string_view competition_id) {
  return Key("competition#" + std::string(competition_id), "competition");
}
Item EventKey(std::string_view event_id) { return Key("event#" + std::string(event_id), "event"); }
Item WebhookKey(std::string_view webhook_id) {
  return Key("webhook#" + std::string(webhook_id), "webhook");
}
Item DeliveryKey(std::string_view webhook_id, int64_t change_id) {
  return Key("webhook#" + std::string(webhook_id),
             std::string(kDeliveryPrefix) + ChangeSortKey(change_id));
}
Item FanOutKey() { return Key("meta", "webhook-fan-out"); }
Item WebhookRegistryKey() { return Key("meta", "webhook-registry"); }
Item MetaKey() { return Key("meta", "meta"); }
std::string ChangeSortKey(int64_t id) {
  char text[24];
  std::snprintf(text, sizeof text, "%019lld", static_cast<long long>(id));
  return text;
}
std::optional<int64_t> ParseChangeSortKey(std::string_view sort_key) {
  if (sort_key.size() != 19) return std::nullopt;
  // The padding zeros go; a change id itself has no leading zero.
  while (sort_key.size() > 1 && sort_key.front() == '0') sort_key.remove_prefix(1);
  return ParseChangeId(sort_key);
}
Item ChangeKey(int64_t id) { return Key(kChangesPk, ChangeSortKey(id)); }

// ---- Index sort keys ----------------------------------------------------------------------------

std::string DueDeliveriesPk(std::string_view webhook_id) {
  return "deliveries-due#" + std::string(webhook_id);
}

std::string DueDeliveryKey(Timestamp next_attempt_at, std::string_view webhook_id,
                           int64_t change_id) {
  return SortableInstant(next_attempt_at) + "#" + std::string(webhook_id) + "#" +
         ChangeSortKey(change_id);
}

Timestamp MidnightUtc(const Date& date) {
  return Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::days(date.DaysSinceEpoch())));
}

std::string SortableInstant(Timestamp instant) {
  // Flipping the sign bit maps int64 order onto uint64 order.
  const uint64_t biased =
      static_cast<uint64_t>(instant.time_since_epoch().count()) ^ (uint64_t{1} << 63);
  char digits[24];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(biased));
  return digits;
}

std::string CompetitionListKey(const Date& start_date, std::string_view id) {
  return start_date.ToString() + "#" + std::string(id);
}

std::string AthleteListKey(std::string_view last_key, std::string_view first_key,
                           std::string_view id) {
  return EscapeNameBytes(last_key) + "\x01\x01" + EscapeNameBytes(first_key) + "\x01\x01" +
         std::string(id);
}

std::string CalendarKey(Timestamp instant, std::string_view id) {
  return SortableInstant(instant) + "#" + std::string(id);
}

std::string EventDayKey(const Date& local_date, std::string_view id) {
  return local_date.ToString() + "#" + std::string(id);
}

std::string FollowingKey(Timestamp followed_at, std::string_view id) {
  return SortableInstant(followed_at) + "#" + std::string(id);
}

// ---- Attribute values ---------------------------------------------------------------------------

json::object S(std::string_view text) { return json::object{{"S", text}}; }
json::object N(int64_t number) { return json::object{{"N", std::to_string(number)}}; }
json::object Bool(bool value) { return json::object{{"BOOL", value}}; }
json::object Null() { return json::object{{"NULL", true}}; }
json::object OptionalS(const std::optional<std::string>& text) {
  return text.has_value() ? S(*text) : Null();
}
json::object StringList(std::span<const std::string> values) {
  json::array list;
  list.reserve(values.size());
  for (const std::string& value : values) list.emplace_back(S(value));
  return json::object{{"L", std::move(list)}};
}

std::string_view StringOf(const Item& item, std::string_view name) {
  const json::value* value = TypedValue(item, name, "S");
  if (value == nullptr || !value->is_string()) return {};
  return value->get_string();
}

// ---- Expressions --------------------------------------------------------------------------------

std::string Expression::Name(std::string_view attribute) {
  for (const auto& [placeholder, name] : names_) {
    if (name.is_string() && name.get_string() == attribute) return std::string(placeholder);
  }
  std::string placeholder = "#n" + std::to_string(names_.size());
  names_[placeholder] = attribute;
  return placeholder;
}

std::string Expression::Value(json::object value) {
  std::string placeholder = ":v" + std::to_string(values_.size());
  values_[placeholder] = std::move(value);
  return placeholder;
}

std::string Expression::SetFrom(const Item& item,
                                std::initializer_list<std::string_view> attributes) {
  return SetFrom(item, std::span<const std::string_view>(attributes.begin(), attributes.size()));
}

std::string Expression::SetFrom(const Item& item, std::span<const std::string_view> attributes) {
  std::string expression = "SET ";
  bool first = true;
  for (const std::string_view attribute : attributes) {
    if (!first) expression += ", ";
    first = false;
    expression += Name(attribute) + " = " + Value(item.at(attribute).as_object());
  }
  return expression;
}

void Expression::AddTo(Item& request) const {
  if (!names_.empty()) request["ExpressionAttributeNames"] = names_;
  if (!values_.empty()) request["ExpressionAttributeValues"] = values_;
}

}  // namespace tt::dynamodb
