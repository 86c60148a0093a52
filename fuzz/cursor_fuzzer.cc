// Pagination cursors (src/domain/cursor.h, the typed cursors of each list and change ids): any text
// a client sends decodes or is refused without crashing, a decoded cursor has exactly one spelling
// (encode(decode(s)) == s), and what the server encodes decodes to the same value.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/athlete.h"
#include "domain/change.h"
#include "domain/competition.h"
#include "domain/cursor.h"
#include "domain/event.h"
#include "domain/ids.h"
#include "fuzz/fuzz_check.h"

namespace {

using tt::fuzz::Escape;

// Random bytes taken from the fuzzer's input, so that NewId makes ids the input chooses.
class InputRandomSource final : public tt::RandomSource {
 public:
  explicit InputRandomSource(FuzzedDataProvider& provider) : provider_(provider) {}
  void Fill(std::span<std::byte> out) override {
    for (std::byte& b : out) b = std::byte{provider_.ConsumeIntegral<uint8_t>()};
  }

 private:
  FuzzedDataProvider& provider_;
};

// ---- decode, then encode: the text is the one spelling of what it decodes to ----------------

void CheckDecodedText(std::string_view text) {
  if (const auto bytes = tt::Base64UrlDecode(text)) {
    TT_FUZZ_CHECK_MSG(tt::Base64UrlEncode(*bytes) == text, Escape(text));
  }
  for (size_t parts = 0; parts <= 4; ++parts) {
    if (const auto decoded = tt::DecodeCursor(text, parts)) {
      TT_FUZZ_CHECK(decoded->size() == parts);
      TT_FUZZ_CHECK_MSG(tt::EncodeCursor(*decoded) == text, Escape(text));
    }
  }
  if (const auto cursor = tt::DecodeCompetitionCursor(text)) {
    TT_FUZZ_CHECK(tt::IsValidId(cursor->id));
    TT_FUZZ_CHECK_MSG(tt::EncodeCompetitionCursor(*cursor) == text, Escape(text));
  }
  if (const auto cursor = tt::DecodeAthleteCursor(text)) {
    TT_FUZZ_CHECK(tt::IsValidId(cursor->id));
    TT_FUZZ_CHECK_MSG(tt::EncodeAthleteCursor(*cursor) == text, Escape(text));
  }
  if (const auto cursor = tt::DecodeFollowCursor(text)) {
    TT_FUZZ_CHECK(tt::IsValidId(cursor->id));
    TT_FUZZ_CHECK_MSG(tt::EncodeFollowCursor(*cursor) == text, Escape(text));
  }
  if (const auto cursor = tt::DecodeEventCursor(text)) {
    TT_FUZZ_CHECK(tt::IsValidId(cursor->id));
    TT_FUZZ_CHECK_MSG(tt::EncodeEventCursor(*cursor) == text, Escape(text));
  }
  // The change log's cursor is a change id (GET /changes?after=).
  if (const auto id = tt::ParseChangeId(text)) {
    TT_FUZZ_CHECK(*id >= 0);
    TT_FUZZ_CHECK_MSG(tt::FormatChangeId(*id) == text, Escape(text));
  }
}

// ---- encode, then decode: whatever the server puts in a cursor comes back --------------------

void CheckEncodedValues(FuzzedDataProvider& provider) {
  InputRandomSource random(provider);

  const std::string bytes = provider.ConsumeRandomLengthString(256);
  const std::string encoded = tt::Base64UrlEncode(bytes);
  TT_FUZZ_CHECK(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789-_") == std::string::npos);
  TT_FUZZ_CHECK(tt::Base64UrlDecode(encoded) == bytes);

  std::vector<std::string> parts(provider.ConsumeIntegralInRange<size_t>(0, 4));
  for (std::string& part : parts) part = provider.ConsumeRandomLengthString(64);
  TT_FUZZ_CHECK(tt::DecodeCursor(tt::EncodeCursor(parts), parts.size()) == parts);
  if (!parts.empty()) {
    TT_FUZZ_CHECK(!tt::DecodeCursor(tt::EncodeCursor(parts), parts.size() - 1));
  }
  TT_FUZZ_CHECK(!tt::DecodeCursor(tt::EncodeCursor(parts), parts.size() + 1));

  const std::string id = tt::NewId(random);
  TT_FUZZ_CHECK_MSG(tt::IsValidId(id), id);

  // Every day the API accepts (0001-01-01..9999-12-31).
  const tt::Date day =
      tt::Date::FromDaysSinceEpoch(provider.ConsumeIntegralInRange<int64_t>(-719162, 2932896));
  const tt::CompetitionCursor competition{day, id};
  const auto competition_back =
      tt::DecodeCompetitionCursor(tt::EncodeCompetitionCursor(competition));
  TT_FUZZ_CHECK(competition_back && competition_back->start_date == competition.start_date &&
                competition_back->id == competition.id);

  const tt::AthleteCursor athlete{provider.ConsumeRandomLengthString(64),
                                  provider.ConsumeRandomLengthString(64), id};
  const auto athlete_back = tt::DecodeAthleteCursor(tt::EncodeAthleteCursor(athlete));
  TT_FUZZ_CHECK(athlete_back && athlete_back->last_name_key == athlete.last_name_key &&
                athlete_back->first_name_key == athlete.first_name_key &&
                athlete_back->id == athlete.id);

  // Any int64 of microseconds, negative included: a cursor is the key, not a date.
  const tt::Timestamp instant{std::chrono::microseconds{provider.ConsumeIntegral<int64_t>()}};
  const tt::FollowCursor follow{instant, id};
  const auto follow_back = tt::DecodeFollowCursor(tt::EncodeFollowCursor(follow));
  TT_FUZZ_CHECK(follow_back && follow_back->followed_at == follow.followed_at &&
                follow_back->id == follow.id);

  const tt::EventCursor event{instant, id};
  const auto event_back = tt::DecodeEventCursor(tt::EncodeEventCursor(event));
  TT_FUZZ_CHECK(event_back && event_back->instant == event.instant && event_back->id == event.id);

  const int64_t change_id = provider.ConsumeIntegralInRange<int64_t>(0, INT64_MAX);
  TT_FUZZ_CHECK(tt::ParseChangeId(tt::FormatChangeId(change_id)) == change_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckDecodedText(tt::fuzz::AsText(data, size));
  FuzzedDataProvider provider(data, size);
  CheckEncodedValues(provider);
  return 0;
}
