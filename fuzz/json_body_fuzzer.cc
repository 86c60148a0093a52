// Request bodies and the query and header values handlers read (src/api/json_body.h), decoded
// by the handlers' own decoders (src/api/decoding.h) and validated by the domain's Apply*Patch.
//
// Input: `body [\0 query [\0 if-match [\0 content-type]]]`. The query is `k=v&k=v` (already
// percent-decoded, as api::Request holds it); without a content type the body is sent as
// application/json. Invariants: nothing crashes or throws; a patch the domain accepts leaves a
// valid resource, both on creation and on a valid existing one; an accepted resource encodes
// (src/api/encoding.h) to JSON that decodes back to the same resource; a user patch that
// ApplyUserPatch refuses changes nothing; decode errors come first in the 422.
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/decoding.h"
#include "api/encoding.h"
#include "api/json_body.h"
#include "api/request.h"
#include "domain/athlete.h"
#include "domain/competition.h"
#include "domain/event.h"
#include "domain/ids.h"
#include "domain/user.h"
#include "fuzz/fuzz_check.h"

namespace {

using tt::FieldErrors;
using tt::Result;
using tt::Status;
using tt::api::DecodeAthletePatch;
using tt::api::DecodeCompetitionPatch;
using tt::api::DecodeEventPatch;
using tt::api::DecodeUserPatch;
using tt::api::FieldReader;
using tt::api::ParseJsonObject;
using tt::api::Request;
using tt::fuzz::Escape;

// ---- What a valid resource is, restated from the contract (/work/shared/API.md) -------------

bool LengthWithin(std::string_view text, size_t min, size_t max) {
  const std::optional<size_t> count = tt::CodePointCount(text);
  return count && *count >= min && *count <= max;
}

bool IsHttpUrl(std::string_view url) {
  FieldErrors errors;
  tt::CheckHttpUrl("url", url, errors);
  return errors.empty();
}

bool IsValid(const tt::Competition& c) {
  return LengthWithin(c.name, 1, 200) && LengthWithin(c.location, 1, 200) &&
         c.start_date <= c.end_date && (!c.description || LengthWithin(*c.description, 0, 5000)) &&
         (!c.url || IsHttpUrl(*c.url));
}

bool IsValid(const tt::Athlete& a) {
  if (!LengthWithin(a.first_name, 1, 100) || !LengthWithin(a.last_name, 1, 100)) return false;
  if (a.bio && !LengthWithin(*a.bio, 0, 2000)) return false;
  if (a.team && !LengthWithin(*a.team, 1, 200)) return false;
  if (a.country && !tt::IsCountryCode(*a.country)) return false;
  if (a.disciplines.size() > 20) return false;
  for (const std::string& discipline : a.disciplines) {
    if (!LengthWithin(discipline, 1, 50)) return false;
  }
  return true;
}

bool IsValid(const tt::Event& e) {
  return tt::IsValidId(e.competition_id) && LengthWithin(e.name, 1, 200) &&
         !e.date_time.ToString().empty() && (!e.notes || LengthWithin(*e.notes, 0, 2000));
}

// Valid resources as the store would hold them, for the PATCH (creating == false) case.
tt::Competition ExistingCompetition() {
  tt::Competition c;
  c.id = "0b5e4a7c-2f6d-4e1a-9c3b-7d8e9f0a1b2c";
  c.name = "Bislett Games";
  c.location = "Oslo";
  c.start_date = *tt::Date::Parse("2026-06-11");
  c.end_date = *tt::Date::Parse("2026-06-12");
  return c;
}

tt::Athlete ExistingAthlete() {
  tt::Athlete a;
  a.id = "1c6f5b8d-3a7e-4f2b-8d4c-8e9fa0b1c2d3";
  a.first_name = "Faith";
  a.last_name = "Kipyegon";
  a.country = "KEN";
  a.disciplines = {"1500m"};
  return a;
}

tt::Event ExistingEvent() {
  tt::Event e;
  e.id = "2d7a6c9e-4b8f-4a3c-9e5d-9fa0b1c2d3e4";
  e.athlete_id = "1c6f5b8d-3a7e-4f2b-8d4c-8e9fa0b1c2d3";
  e.competition_id = "0b5e4a7c-2f6d-4e1a-9c3b-7d8e9f0a1b2c";
  e.name = "1500m final";
  e.date_time = *tt::DateTime::Parse("2026-06-11T20:45:00+02:00");
  return e;
}

// The request a client would send to create `body` again.
Request JsonRequest(std::string body) {
  Request request;
  request.method = "POST";
  request.json_body = true;
  request.body = std::move(body);
  return request;
}
Request JsonRequest(const boost::json::object& body) {
  return JsonRequest(boost::json::serialize(body));
}

// A rejected body: the decoder's own problems are reported, and win over the domain's.
void CheckRejection(const FieldErrors& decode_errors, const Status& status) {
  TT_FUZZ_CHECK(!status.ok());
  TT_FUZZ_CHECK(status.error().code == tt::ErrorCode::kValidationFailed);
  TT_FUZZ_CHECK(!status.error().fields.empty());
  if (decode_errors.empty()) return;
  const tt::Error decode = decode_errors.ToError();
  for (const auto& [field, message] : decode.fields) {
    auto it = status.error().fields.find(field);
    TT_FUZZ_CHECK_MSG(it != status.error().fields.end() && it->second == message, field);
  }
}

void CheckBodyError(const tt::Error& error) {
  TT_FUZZ_CHECK(error.code == tt::ErrorCode::kBadRequest ||
                error.code == tt::ErrorCode::kUnsupportedMediaType);
}

// ---- One resource each ---------------------------------------------------------------------

void CheckCompetition(const Request& request, bool creating) {
  FieldErrors decode_errors;
  Result<tt::CompetitionPatch> patch = DecodeCompetitionPatch(request, decode_errors);
  if (!patch) return CheckBodyError(patch.error());
  tt::Competition competition = creating ? tt::Competition{} : ExistingCompetition();
  const Status status = tt::api::WithDecodeErrors(
      decode_errors, tt::ApplyCompetitionPatch(*patch, creating, competition));
  if (!status) return CheckRejection(decode_errors, status);
  TT_FUZZ_CHECK_MSG(IsValid(competition), Escape(request.body));

  FieldErrors again_errors;
  Result<tt::CompetitionPatch> again =
      DecodeCompetitionPatch(JsonRequest(tt::api::CompetitionJson(competition)), again_errors);
  TT_FUZZ_CHECK(again.ok() && again_errors.empty());
  tt::Competition copy;
  TT_FUZZ_CHECK(tt::ApplyCompetitionPatch(*again, /*creating=*/true, copy).ok());
  TT_FUZZ_CHECK(copy.name == competition.name && copy.location == competition.location &&
                copy.start_date == competition.start_date &&
                copy.end_date == competition.end_date &&
                copy.description == competition.description && copy.url == competition.url);
}

void CheckAthlete(const Request& request, bool creating) {
  FieldErrors decode_errors;
  Result<tt::AthletePatch> patch = DecodeAthletePatch(request, decode_errors);
  if (!patch) return CheckBodyError(patch.error());
  tt::Athlete athlete = creating ? tt::Athlete{} : ExistingAthlete();
  const Status status =
      tt::api::WithDecodeErrors(decode_errors, tt::ApplyAthletePatch(*patch, creating, athlete));
  if (!status) return CheckRejection(decode_errors, status);
  TT_FUZZ_CHECK_MSG(IsValid(athlete), Escape(request.body));

  FieldErrors again_errors;
  Result<tt::AthletePatch> again =
      DecodeAthletePatch(JsonRequest(tt::api::AthleteJson(athlete)), again_errors);
  TT_FUZZ_CHECK(again.ok() && again_errors.empty());
  tt::Athlete copy;
  TT_FUZZ_CHECK(tt::ApplyAthletePatch(*again, /*creating=*/true, copy).ok());
  TT_FUZZ_CHECK(copy.first_name == athlete.first_name && copy.last_name == athlete.last_name &&
                copy.bio == athlete.bio && copy.birthday == athlete.birthday &&
                copy.team == athlete.team && copy.country == athlete.country &&
                copy.disciplines == athlete.disciplines);
}

void CheckEvent(const Request& request, bool creating) {
  FieldErrors decode_errors;
  Result<tt::EventPatch> patch = DecodeEventPatch(request, decode_errors);
  if (!patch) return CheckBodyError(patch.error());
  tt::Event event = creating ? tt::Event{} : ExistingEvent();
  const Status status =
      tt::api::WithDecodeErrors(decode_errors, tt::ApplyEventPatch(*patch, creating, event));
  if (!status) return CheckRejection(decode_errors, status);
  TT_FUZZ_CHECK_MSG(IsValid(event), Escape(request.body));
  // Whether it fits a competition is a separate 422; it must answer, not crash.
  (void)tt::CheckEventFitsCompetition(event, ExistingCompetition());

  FieldErrors again_errors;
  Result<tt::EventPatch> again =
      DecodeEventPatch(JsonRequest(tt::api::EventJson(event)), again_errors);
  TT_FUZZ_CHECK(again.ok() && again_errors.empty());
  tt::Event copy;
  TT_FUZZ_CHECK(tt::ApplyEventPatch(*again, /*creating=*/true, copy).ok());
  TT_FUZZ_CHECK(copy.competition_id == event.competition_id && copy.name == event.name &&
                copy.notes == event.notes &&
                copy.date_time.ToString() == event.date_time.ToString() &&
                copy.date_time.instant() == event.date_time.instant() &&
                copy.date_time.offset_minutes() == event.date_time.offset_minutes());
}

void CheckUser(const Request& request) {
  for (const tt::PatchedBy patched_by : {tt::PatchedBy::kSelf, tt::PatchedBy::kAdmin}) {
    FieldErrors decode_errors;
    Result<tt::UserPatch> patch = DecodeUserPatch(request, decode_errors);
    if (!patch) return CheckBodyError(patch.error());
    tt::User user;
    user.id = "3e8b7d0f-5c9a-4b4d-af6e-a0b1c2d3e4f5";
    user.username = "kipyegon";
    user.display_name = "Faith";
    user.email = "faith@example.com";
    const tt::User before = user;
    const Status domain_check = tt::ApplyUserPatch(*patch, patched_by, user);
    // Unlike the other Apply*Patch, ApplyUserPatch changes nothing when it refuses. (Decode
    // errors are the handler's to act on: it discards the user then.)
    if (!domain_check) {
      TT_FUZZ_CHECK(user.display_name == before.display_name && user.email == before.email);
    }
    const Status status = tt::api::WithDecodeErrors(decode_errors, domain_check);
    if (!status) {
      CheckRejection(decode_errors, status);
      continue;
    }
    TT_FUZZ_CHECK(LengthWithin(user.display_name, 1, 100));
    if (patch->password) {
      TT_FUZZ_CHECK(LengthWithin(*patch->password, 8, 256));
      TT_FUZZ_CHECK(patched_by == tt::PatchedBy::kAdmin || patch->current_password.has_value());
    }
    const tt::Result<boost::json::object> body =
        ParseJsonObject(JsonRequest(tt::api::UserJson(user, /*include_email=*/true)));
    TT_FUZZ_CHECK(body.ok());
  }
}

// POST /users and POST /sessions read username and password; POST /competitions/batch-get ids.
void CheckSignUpAndBatch(const Request& request) {
  Result<boost::json::object> body = ParseJsonObject(request);
  if (!body) return CheckBodyError(body.error());
  FieldErrors errors;
  FieldReader reader(*body, errors);
  reader.Require("username");
  reader.Require("password");
  tt::SignUpRequest sign_up;
  sign_up.username = reader.String("username").value_or("");
  sign_up.password = reader.String("password").value_or("");
  sign_up.display_name = reader.String("display_name");
  sign_up.email = reader.NullableString("email").value_or(std::nullopt);
  tt::CheckSignUp(sign_up, errors);
  if (errors.empty()) {
    TT_FUZZ_CHECK(sign_up.username.size() >= 3 && sign_up.username.size() <= 32);
    TT_FUZZ_CHECK(LengthWithin(sign_up.password, 8, 256));
  }

  FieldErrors batch_errors;
  FieldReader batch(*body, batch_errors);
  batch.Require("ids");
  const std::optional<std::vector<std::string>> ids = batch.StringList("ids");
  TT_FUZZ_CHECK(ids.has_value() == batch_errors.empty());
}

void CheckParameters(const Request& request) {
  FieldErrors errors;
  const int limit = tt::api::LimitParam(request, errors);
  TT_FUZZ_CHECK(limit >= 1 && limit <= 200);
  // Absent or refused, the default; otherwise the number given.
  if (!request.Query("limit") || errors.Has("limit")) TT_FUZZ_CHECK(limit == 50);
  for (const std::string_view name : {"from", "to"}) {
    const std::optional<tt::Date> date = tt::api::DateParam(request, name, errors);
    const std::optional<std::string_view> text = request.Query(name);
    TT_FUZZ_CHECK(!date || (text && date->ToString() == *text));
    TT_FUZZ_CHECK(errors.Has(name) == (text && !date));
  }

  const std::optional<int64_t> version = tt::api::IfMatchVersion(request);
  TT_FUZZ_CHECK(!version || *version == -1 || *version >= 1);
  for (const int64_t current : {int64_t{1}, int64_t{7}}) {
    const Status fresh = tt::api::CheckIfMatch(request, current);
    TT_FUZZ_CHECK(fresh.ok() == (!version || *version == current));
    if (!fresh) TT_FUZZ_CHECK(fresh.error().code == tt::ErrorCode::kPreconditionFailed);
  }
}

// Splits `text` at the first NUL: the part before it, and what follows (nullopt without one).
std::string_view TakeField(std::string_view& text, bool& more) {
  const size_t nul = text.find('\0');
  const std::string_view field = text.substr(0, nul);
  more = nul != std::string_view::npos;
  text.remove_prefix(more ? nul + 1 : text.size());
  return field;
}

Request MakeRequest(std::string_view input) {
  Request request;
  request.method = "POST";
  request.json_body = true;
  bool more = false;
  request.body = std::string(TakeField(input, more));
  if (!more) return request;
  std::string_view query = TakeField(input, more);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    const size_t equals = param.find('=');
    request.query.emplace_back(
        std::string(param.substr(0, equals)),
        equals == std::string_view::npos ? std::string() : std::string(param.substr(equals + 1)));
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
  }
  if (!more) return request;
  // If-Match arrives parsed (src/http parses the header; router_fuzzer covers that): a version,
  // or -1 for a value naming none, or nothing.
  const std::string_view if_match = TakeField(input, more);
  if (!if_match.empty()) {
    int64_t version = 0;
    for (char c : if_match.substr(0, 4)) version = version * 256 + static_cast<unsigned char>(c);
    request.if_match_version = version % 9 == 0 ? -1 : version % 9;
  }
  if (!more) return request;
  // The media type arrives parsed too: any remaining input means "not JSON".
  request.json_body = input.empty();
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Request request = MakeRequest(tt::fuzz::AsText(data, size));
  for (const bool creating : {true, false}) {
    CheckCompetition(request, creating);
    CheckAthlete(request, creating);
    CheckEvent(request, creating);
  }
  CheckUser(request);
  CheckSignUpAndBatch(request);
  CheckParameters(request);
  return 0;
}
