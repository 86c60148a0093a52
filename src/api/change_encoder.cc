#include "api/change_encoder.h"

#include "api/encoding.h"

namespace tt::api {
namespace {

template <typename Write>
std::string ObjectJson(Write write) {
  std::string text;
  JsonWriter out(text);
  out.BeginObject();
  write(out);
  out.EndObject();
  return text;
}

class ApiChangeEncoder final : public ChangeEncoder {
 public:
  std::string Competition(const tt::Competition& competition) const override {
    return CompetitionJson(competition);
  }
  std::string Event(const tt::Event& event) const override { return EventJson(event); }
  std::string Follow(std::string_view user_id, std::string_view athlete_id,
                     Timestamp followed_at) const override {
    return ObjectJson([&](JsonWriter& out) {
      out.Member("user_id", user_id);
      out.Member("athlete_id", athlete_id);
      out.Member("followed_at", followed_at);
    });
  }
  std::string FollowKey(std::string_view user_id, std::string_view athlete_id) const override {
    return ObjectJson([&](JsonWriter& out) {
      out.Member("user_id", user_id);
      out.Member("athlete_id", athlete_id);
    });
  }
  std::string Deleted(std::string_view id) const override {
    return ObjectJson([&](JsonWriter& out) { out.Member("id", id); });
  }
};

}  // namespace

std::shared_ptr<const ChangeEncoder> MakeChangeEncoder() {
  return std::make_shared<const ApiChangeEncoder>();
}

void WriteChange(JsonWriter& out, const Change& change) {
  out.BeginObject();
  out.Member("id", FormatChangeId(change.id));
  out.Member("type", ChangeTypeName(change.type));
  out.Member("occurred_at", change.occurred_at);
  out.Key("data");
  out.RawValue(change.data);
  out.EndObject();
}

}  // namespace tt::api
