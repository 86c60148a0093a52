#include "storage/dynamodb/item_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <utility>

#include "domain/case_folding.h"
#include "storage/store.h"

namespace tt::dynamodb {
namespace json = boost::json;
namespace {

bool IsNull(const Item& item, std::string_view name) {
  const json::value* attribute = item.if_contains(name);
  return attribute == nullptr ||
         (attribute->is_object() && attribute->get_object().contains("NULL"));
}

// Reads attributes of one item; the first malformed or missing one marks the item corrupt, and
// Check() then logs it and answers kInternal (like the SQLite store's RowReader).
class ItemReader {
 public:
  ItemReader(const Item& item, Logger& logger) : item_(item), logger_(logger) {}

  std::string String(std::string_view name) {
    const json::value* value = TypedValue(item_, name, "S");
    if (value == nullptr || !value->is_string()) return Bad(name, std::string());
    return std::string(value->get_string());
  }
  std::optional<std::string> OptionalString(std::string_view name) {
    if (IsNull(item_, name)) return std::nullopt;
    return String(name);
  }
  int64_t Int(std::string_view name) {
    const json::value* value = TypedValue(item_, name, "N");
    int64_t number = 0;
    if (value == nullptr || !value->is_string()) return Bad(name, 0);
    const json::string& text = value->get_string();
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size()) return Bad(name, 0);
    return number;
  }
  bool Boolean(std::string_view name) {
    const json::value* value = TypedValue(item_, name, "BOOL");
    if (value == nullptr || !value->is_bool()) return Bad(name, false);
    return value->get_bool();
  }
  Timestamp Time(std::string_view name) {
    const std::optional<Timestamp> time = ParseInstant(String(name));
    if (!time.has_value()) return Bad(name, Timestamp());
    return *time;
  }
  Date DateValue(std::string_view name) {
    const std::optional<Date> date = Date::Parse(String(name));
    if (!date.has_value()) return Bad(name, Date());
    return *date;
  }
  std::optional<Date> OptionalDate(std::string_view name) {
    if (IsNull(item_, name)) return std::nullopt;
    return DateValue(name);
  }
  DateTime DateTimeValue(std::string_view name) {
    const std::optional<DateTime> date_time = DateTime::Parse(String(name));
    if (!date_time.has_value()) return Bad(name, DateTime());
    return *date_time;
  }
  std::vector<std::string> StringList(std::string_view name) {
    const json::value* list = TypedValue(item_, name, "L");
    std::vector<std::string> values;
    if (list == nullptr || !list->is_array()) return Bad(name, values);
    for (const json::value& element : list->get_array()) {
      const json::value* text =
          element.is_object() ? element.get_object().if_contains("S") : nullptr;
      if (text == nullptr || !text->is_string()) return Bad(name, std::vector<std::string>());
      values.emplace_back(text->get_string());
    }
    return values;
  }

  // Attribute `name` into `value`, by the value's type (the readers above; AttributeOf's
  // inverse).
  void Read(std::string_view name, std::string& value) { value = String(name); }
  void Read(std::string_view name, std::optional<std::string>& value) {
    value = OptionalString(name);
  }
  void Read(std::string_view name, int64_t& value) { value = Int(name); }
  void Read(std::string_view name, bool& value) { value = Boolean(name); }
  void Read(std::string_view name, Timestamp& value) { value = Time(name); }
  void Read(std::string_view name, Date& value) { value = DateValue(name); }
  void Read(std::string_view name, DateTime& value) { value = DateTimeValue(name); }
  void Read(std::string_view name, std::optional<Date>& value) { value = OptionalDate(name); }
  void Read(std::string_view name, std::vector<std::string>& value) { value = StringList(name); }

  // kInternal, logged, if any attribute read was malformed.
  Status Check(std::string_view what) const {
    if (!bad_.has_value()) return Status::Ok();
    logger_.Error("dynamodb: malformed stored " + std::string(what) + " (pk " +
                  std::string(StringOf(item_, kPk)) + ", sk " + std::string(StringOf(item_, kSk)) +
                  "): attribute " + *bad_);
    return Error::Internal();
  }

 private:
  // Marks `name` as the item's first malformed attribute and returns `fallback`.
  template <typename T>
  T Bad(std::string_view name, T fallback) {
    if (!bad_.has_value()) bad_ = std::string(name);
    return fallback;
  }

  const Item& item_;
  Logger& logger_;
  std::optional<std::string> bad_;
};

// How a member of a field table is stored, by its type: text as S (NULL when absent), numbers as
// N, booleans as BOOL, timestamps as RFC 3339 UTC text, dates and date-times as their text (NULL
// when absent), lists of text as L of S. ItemReader::Read reads each back.
json::object AttributeOf(const std::string& value) { return S(value); }
json::object AttributeOf(const std::optional<std::string>& value) { return OptionalS(value); }
json::object AttributeOf(int64_t value) { return N(value); }
json::object AttributeOf(bool value) { return Bool(value); }
json::object AttributeOf(Timestamp value) { return S(FormatUtc(value)); }
json::object AttributeOf(const Date& value) { return S(value.ToString()); }
json::object AttributeOf(const DateTime& value) { return S(value.ToString()); }
json::object AttributeOf(const std::optional<Date>& value) {
  return value.has_value() ? S(value->ToString()) : Null();
}
json::object AttributeOf(const std::vector<std::string>& values) { return StringList(values); }

// Every member of `resource` that `fields` lists (domain/fields.h), as the attribute of its name,
// but the derived ones (FieldWrite::kDerived), which the caller writes, if the item keeps them.
template <typename Table, typename Resource>
void PutFields(Item& item, const Table& fields, const Resource& resource) {
  ForEachField(fields, [&](const auto& entry) {
    if (!IsDerived(entry)) item[entry.name] = AttributeOf(resource.*entry.member);
  });
}

// The members of `fields` that every update rewrites (RewrittenByUpdates), and `derived`, the
// attributes computed from them.
template <typename Table>
std::vector<std::string_view> RewrittenAttributes(const Table& fields,
                                                  std::initializer_list<std::string_view> derived) {
  std::vector<std::string_view> attributes;
  ForEachField(fields, [&](const auto& entry) {
    if (RewrittenByUpdates(entry)) attributes.push_back(entry.name);
  });
  attributes.insert(attributes.end(), derived);
  return attributes;
}

// Every member that `fields` lists, from the attribute of its name, but the derived ones, which
// the caller reads.
template <typename Table, typename Resource>
void ReadFields(ItemReader& reader, const Table& fields, Resource& resource) {
  ForEachField(fields, [&](const auto& entry) {
    if (!IsDerived(entry)) reader.Read(entry.name, resource.*entry.member);
  });
}

void SetGsi1(Item& item, std::string pk, std::string sk) {
  item[kGsi1Pk] = S(pk);
  item[kGsi1Sk] = S(sk);
}
void SetGsi2(Item& item, std::string pk, std::string sk) {
  item[kGsi2Pk] = S(pk);
  item[kGsi2Sk] = S(sk);
}

int64_t EpochSeconds(Timestamp time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

}  // namespace

// ---- Items --------------------------------------------------------------------------------------

Item UserItem(const User& user, std::string_view password_hash) {
  Item item = UserKey(user.id);
  item["type"] = S("user");
  // is_athlete is not an attribute: the store derives it from the athlete profile (ReadUser).
  PutFields(item, kUserFields, user);
  item["username_key"] = S(UsernameKey(user.username));
  item["password_hash"] = S(password_hash);
  item["session_epoch"] = N(0);
  return item;
}

std::vector<std::string_view> UserUpdatedAttributes() {
  return RewrittenAttributes(kUserFields, {});
}

Item UsernameItem(std::string_view username_key, std::string_view user_id, Timestamp claimed_at) {
  Item item = UsernameKeyItemKey(username_key);
  item["type"] = S("username");
  item["username_key"] = S(username_key);
  item["user_id"] = S(user_id);
  item["claimed_at"] = S(FormatUtc(claimed_at));
  return item;
}

Item SessionItem(const Session& session, int64_t session_epoch) {
  Item item = SessionKey(session.token_hash);
  item["type"] = S("session");
  item["token_hash"] = S(session.token_hash);
  item["user_id"] = S(session.user_id);
  item["created_at"] = S(FormatUtc(session.created_at));
  item["expires_at"] = S(FormatUtc(session.expires_at));
  item["session_epoch"] = N(session_epoch);
  item[kTtl] = N(EpochSeconds(session.expires_at));
  SetGsi1(item, SessionsPk(session.user_id), session.token_hash);
  return item;
}

Item SignInFailureItem(std::string_view username_key, Timestamp at, std::string_view unique) {
  Item item = Key(SignInFailuresPk(username_key), SortableInstant(at) + "#" + std::string(unique));
  item["type"] = S("sign_in_failure");
  item["username_key"] = S(username_key);
  item["at"] = S(FormatUtc(at));
  // Kept a day longer than the retention the Store promises, then left to TTL.
  item[kTtl] = N(EpochSeconds(at + kSignInFailureRetention + std::chrono::hours(24)));
  return item;
}

Item CompetitionItem(const Competition& competition) {
  Item item = CompetitionKey(competition.id);
  item["type"] = S("competition");
  PutFields(item, kCompetitionFields, competition);
  // The folded texts `q` matches, and the count of event writes UpdateCompetition conditions on.
  item["name_key"] = S(FoldCase(competition.name));
  item["location_key"] = S(FoldCase(competition.location));
  item["event_writes"] = N(0);
  SetGsi1(item, std::string(kCompetitionList),
          CompetitionListKey(competition.start_date, competition.id));
  if (competition.created_by.has_value()) {
    SetGsi2(item, CreatedByPk(*competition.created_by), competition.id);
  }
  return item;
}

std::vector<std::string_view> CompetitionUpdatedAttributes() {
  // gsi1pk, the list's partition, never changes.
  return RewrittenAttributes(kCompetitionFields, {"name_key", "location_key", kGsi1Sk});
}

Item ChangeItem(const Change& change) {
  Item item = ChangeKey(change.id);
  item["type"] = S("change");
  item["change_type"] = S(ChangeTypeName(change.type));
  item["occurred_at"] = AttributeOf(change.occurred_at);
  item["data"] = S(change.data);
  return item;
}

Item ChangeTombstoneItem(int64_t id, Timestamp closed_at) {
  Item item = ChangeKey(id);
  item["type"] = S("change");
  item["tombstone"] = Bool(true);
  item["occurred_at"] = AttributeOf(closed_at);
  return item;
}

std::string WebhookListKey(Timestamp created_at, std::string_view id) {
  return SortableInstant(created_at) + "#" + std::string(id);
}

Item WebhookEndpointItem(const WebhookEndpoint& endpoint, const WebhookSecrets& secrets) {
  Item item = WebhookKey(endpoint.id);
  item["type"] = S("webhook");
  PutFields(item, kWebhookEndpointFields, endpoint);
  item["secret"] = S(secrets.current);
  item["previous_secret"] = OptionalS(secrets.previous);
  item["previous_secret_until"] =
      secrets.previous_until.has_value() ? S(FormatUtc(*secrets.previous_until)) : Null();
  // Still in gsi1's old list, for instances of the earlier version during a rolling upgrade.
  SetGsi1(item, std::string(kLegacyWebhookList), WebhookListKey(endpoint.created_at, endpoint.id));
  return item;
}

Item DeliveryItem(const WebhookDelivery& delivery) {
  Item item = DeliveryKey(delivery.endpoint_id, delivery.change_id);
  item["type"] = S("delivery");
  item["endpoint_id"] = S(delivery.endpoint_id);
  item["change_id"] = N(delivery.change_id);
  item["change_type"] = S(ChangeTypeName(delivery.type));
  item["body"] = S(delivery.body);
  item["status"] = S(DeliveryStatusName(delivery.status));
  item["attempts"] = N(delivery.attempts);
  item["last_response_code"] =
      delivery.last_response_code.has_value() ? N(*delivery.last_response_code) : Null();
  item["last_error"] = OptionalS(delivery.last_error);
  item["last_attempt_at"] =
      delivery.last_attempt_at.has_value() ? AttributeOf(*delivery.last_attempt_at) : Null();
  item["next_attempt_at"] = AttributeOf(delivery.next_attempt_at);
  item["pending_since"] = AttributeOf(delivery.pending_since);
  item["created_at"] = AttributeOf(delivery.created_at);
  if (delivery.status == DeliveryStatus::kPending) {
    SetGsi1(item, DueDeliveriesPk(delivery.endpoint_id),
            DueDeliveryKey(delivery.next_attempt_at, delivery.endpoint_id, delivery.change_id));
  }
  return item;
}

std::vector<std::string_view> WebhookEndpointUpdatedAttributes(bool secrets) {
  if (!secrets) return RewrittenAttributes(kWebhookEndpointFields, {});
  return RewrittenAttributes(kWebhookEndpointFields,
                             {"secret", "previous_secret", "previous_secret_until"});
}

Item AthleteItem(const Athlete& athlete, std::string_view username) {
  const AthleteCursor keys = CursorOf(athlete);
  Item item = AthleteKey(athlete.id);
  item["type"] = S("athlete");
  PutFields(item, kAthleteFields, athlete);
  // The derived members: the user's username, copied so that lists need not read users, and the
  // counter that follows and unfollows move. Then the folded names, which the list orders by.
  item["username"] = S(username);
  item["follower_count"] = N(0);
  item["first_key"] = S(keys.first_name_key);
  item["last_key"] = S(keys.last_name_key);
  SetGsi1(item, std::string(kAthleteList),
          AthleteListKey(keys.last_name_key, keys.first_name_key, athlete.id));
  return item;
}

std::vector<std::string_view> AthleteUpdatedAttributes() {
  // gsi1pk, the list's partition, never changes.
  return RewrittenAttributes(kAthleteFields, {"first_key", "last_key", kGsi1Sk});
}

Item FollowItem(std::string_view user_id, std::string_view athlete_id, Timestamp followed_at) {
  Item item = FollowKey(user_id, athlete_id);
  item["type"] = S("follow");
  item["user_id"] = S(user_id);
  item["athlete_id"] = S(athlete_id);
  item["followed_at"] = S(FormatUtc(followed_at));
  SetGsi1(item, FollowingPk(user_id), FollowingKey(followed_at, athlete_id));
  SetGsi2(item, FollowersPk(athlete_id), FollowingKey(followed_at, user_id));
  return item;
}

std::vector<std::string_view> EventUpdatedAttributes() {
  return RewrittenAttributes(kEventFields, {"instant", "local_date", kGsi1Sk, kGsi2Pk, kGsi2Sk});
}

Item EventItem(const Event& event) {
  const Date local_date = event.date_time.local_date();
  Item item = EventKey(event.id);
  item["type"] = S("event");
  PutFields(item, kEventFields, event);
  // The instant and the local day of date_time, which lists order and filter by.
  item["instant"] = N(event.date_time.instant().time_since_epoch().count());
  item["local_date"] = S(local_date.ToString());
  SetGsi1(item, CalendarPk(event.athlete_id), CalendarKey(event.date_time.instant(), event.id));
  SetGsi2(item, CompetitionEventsPk(event.competition_id), EventDayKey(local_date, event.id));
  return item;
}

// ---- Readers ------------------------------------------------------------------------------------

Result<User> ReadUser(const Item& item, bool is_athlete, Logger& logger) {
  ItemReader reader(item, logger);
  User user;
  ReadFields(reader, kUserFields, user);
  user.is_athlete = is_athlete;
  if (Status status = reader.Check("user"); !status.ok()) return std::move(status).error();
  return user;
}

Result<std::string> ReadPasswordHash(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  std::string hash = reader.String("password_hash");
  if (Status status = reader.Check("user"); !status.ok()) return std::move(status).error();
  return hash;
}

int64_t ReadSessionEpoch(const Item& item) {
  const json::value* value = TypedValue(item, "session_epoch", "N");
  if (value == nullptr || !value->is_string()) return 0;
  int64_t epoch = 0;
  const json::string& text = value->get_string();
  std::from_chars(text.data(), text.data() + text.size(), epoch);
  return epoch;
}

Result<Session> ReadSession(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  Session session;
  session.token_hash = reader.String("token_hash");
  session.user_id = reader.String("user_id");
  session.created_at = reader.Time("created_at");
  session.expires_at = reader.Time("expires_at");
  if (Status status = reader.Check("session"); !status.ok()) return std::move(status).error();
  return session;
}

Result<Timestamp> ReadSignInFailure(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  const Timestamp at = reader.Time("at");
  if (Status status = reader.Check("sign-in failure"); !status.ok()) {
    return std::move(status).error();
  }
  return at;
}

Result<Competition> ReadCompetition(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  Competition competition;
  ReadFields(reader, kCompetitionFields, competition);
  if (Status status = reader.Check("competition"); !status.ok()) {
    return std::move(status).error();
  }
  return competition;
}

Result<ChangeSlot> ReadChangeSlot(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  ChangeSlot slot;
  const std::optional<int64_t> id = ParseChangeSortKey(StringOf(item, kSk));
  slot.id = id.value_or(0);
  slot.occurred_at = reader.Time("occurred_at");
  slot.tombstone = item.contains("tombstone");
  if (Status status = reader.Check("change record"); !status.ok()) {
    return std::move(status).error();
  }
  if (!id.has_value()) {
    logger.Error("dynamodb: malformed change record key " + std::string(StringOf(item, kSk)));
    return Error::Internal();
  }
  return slot;
}

Result<Change> ReadChange(const Item& item, Logger& logger) {
  Result<ChangeSlot> slot = ReadChangeSlot(item, logger);
  if (!slot.ok()) return std::move(slot).error();
  ItemReader reader(item, logger);
  Change change;
  change.id = slot->id;
  change.occurred_at = slot->occurred_at;
  const std::optional<ChangeType> type = ParseChangeType(reader.String("change_type"));
  change.data = reader.String("data");
  if (Status status = reader.Check("change record"); !status.ok()) {
    return std::move(status).error();
  }
  if (!type.has_value()) {
    logger.Error("dynamodb: change record " + std::to_string(change.id) + " has an unknown type");
    return Error::Internal();
  }
  change.type = *type;
  return change;
}

Result<WebhookEndpoint> ReadWebhookEndpoint(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  WebhookEndpoint endpoint;
  ReadFields(reader, kWebhookEndpointFields, endpoint);
  if (Status status = reader.Check("webhook endpoint"); !status.ok()) {
    return std::move(status).error();
  }
  return endpoint;
}

Result<WebhookDelivery> ReadDelivery(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  WebhookDelivery delivery;
  delivery.endpoint_id = reader.String("endpoint_id");
  delivery.change_id = reader.Int("change_id");
  const std::optional<ChangeType> type = ParseChangeType(reader.String("change_type"));
  delivery.body = reader.String("body");
  const std::optional<DeliveryStatus> status = ParseDeliveryStatus(reader.String("status"));
  delivery.attempts = static_cast<int>(reader.Int("attempts"));
  if (!IsNull(item, "last_response_code")) {
    delivery.last_response_code = static_cast<int>(reader.Int("last_response_code"));
  }
  delivery.last_error = reader.OptionalString("last_error");
  if (!IsNull(item, "last_attempt_at")) delivery.last_attempt_at = reader.Time("last_attempt_at");
  delivery.next_attempt_at = reader.Time("next_attempt_at");
  delivery.pending_since = reader.Time("pending_since");
  delivery.created_at = reader.Time("created_at");
  if (Status checked = reader.Check("webhook delivery"); !checked.ok()) {
    return std::move(checked).error();
  }
  if (!type.has_value() || !status.has_value()) {
    logger.Error("dynamodb: delivery " + std::to_string(delivery.change_id) + " of webhook " +
                 delivery.endpoint_id + " has an unknown type or status");
    return Error::Internal();
  }
  delivery.type = *type;
  delivery.status = *status;
  return delivery;
}

Result<WebhookSecrets> ReadWebhookSecrets(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  WebhookSecrets secrets;
  secrets.current = reader.String("secret");
  secrets.previous = reader.OptionalString("previous_secret");
  if (!IsNull(item, "previous_secret_until")) {
    secrets.previous_until = reader.Time("previous_secret_until");
  }
  if (Status status = reader.Check("webhook secrets"); !status.ok()) {
    return std::move(status).error();
  }
  return secrets;
}

Result<Athlete> ReadAthlete(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  Athlete athlete;
  ReadFields(reader, kAthleteFields, athlete);
  athlete.username = reader.String("username");
  // A counter that concurrent follows and unfollows move; never shown below zero.
  athlete.follower_count = std::max<int64_t>(0, reader.Int("follower_count"));
  if (Status status = reader.Check("athlete"); !status.ok()) return std::move(status).error();
  return athlete;
}

Result<Event> ReadEvent(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  Event event;
  ReadFields(reader, kEventFields, event);
  if (Status status = reader.Check("event"); !status.ok()) return std::move(status).error();
  return event;
}

Result<FollowRecord> ReadFollow(const Item& item, Logger& logger) {
  ItemReader reader(item, logger);
  FollowRecord follow;
  follow.user_id = reader.String("user_id");
  follow.athlete_id = reader.String("athlete_id");
  follow.followed_at = reader.Time("followed_at");
  if (Status status = reader.Check("follow"); !status.ok()) return std::move(status).error();
  return follow;
}

}  // namespace tt::dynamodb
