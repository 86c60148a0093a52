// /athletes: a user's athlete profile (same id as the user), listed by name.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/auth.h"
#include "api/conditional_write.h"
#include "api/decoding.h"
#include "api/encoding.h"
#include "api/handlers.h"
#include "api/json_body.h"
#include "api/lookups.h"
#include "domain/ids.h"

namespace tt::api {

Reply CreateAthlete(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  FieldErrors decode_errors;
  Result<AthletePatch> patch = DecodeAthletePatch(request, decode_errors);
  if (!patch) co_return std::move(patch).error();
  Athlete athlete;
  if (Status valid =
          WithDecodeErrors(decode_errors, ApplyAthletePatch(*patch, /*creating=*/true, athlete));
      !valid) {
    co_return std::move(valid).error();
  }
  athlete.id = principal->user.id;
  athlete.username = principal->user.username;
  athlete.created_at = athlete.updated_at = services.clock.Now();
  athlete.version = 1;
  Status created = co_await services.store.CreateAthlete(athlete);
  if (!created) {
    if (created.error().code == ErrorCode::kConflict) {
      co_return Error::Conflict("this user already is an athlete");
    }
    co_return std::move(created).error();
  }
  co_return ResourceResponse(201, AthleteJson(athlete), athlete.version, "/athletes/" + athlete.id);
}

Reply GetAthlete(const Services& services, const Request& request) {
  Result<Athlete> athlete = co_await PathAthlete(services, request);
  if (!athlete) co_return std::move(athlete).error();
  co_return ResourceResponse(200, AthleteJson(*athlete), athlete->version);
}

Reply ListAthletes(const Services& services, const Request& request) {
  FieldErrors errors;
  AthleteQuery query;
  query.limit = LimitParam(request, errors);
  if (std::optional<std::string_view> prefix = request.Query("q")) {
    if (!prefix->empty()) query.prefix = std::string(*prefix);
    if (CodePointCount(*prefix).value_or(0) > 100) {
      errors.Add("q", "must be at most 100 characters");
    }
  }
  query.after = CursorParam(request, &DecodeAthleteCursor, errors);
  if (!errors.empty()) co_return errors.ToError();
  Result<Page<Athlete>> page = co_await services.store.ListAthletes(query);
  if (!page) co_return std::move(page).error();
  co_return PageResponse(*page, &WriteAthlete,
                         [](const Athlete& last) { return EncodeAthleteCursor(CursorOf(last)); });
}

namespace {

// One read-modify-write of PatchAthlete (see RetryLostRaces).
Reply PatchAthleteOnce(const Services& services, const Request& request,
                       const Principal& principal) {
  Result<Athlete> current = co_await PathAthlete(services, request);
  if (!current) co_return std::move(current).error();
  if (!CanActFor(principal, current->id)) co_return Error::Forbidden();
  if (Status fresh = CheckIfMatch(request, current->version); !fresh) {
    co_return std::move(fresh).error();
  }
  FieldErrors decode_errors;
  Result<AthletePatch> patch = DecodeAthletePatch(request, decode_errors);
  if (!patch) co_return std::move(patch).error();
  Athlete updated = *current;
  if (Status valid =
          WithDecodeErrors(decode_errors, ApplyAthletePatch(*patch, /*creating=*/false, updated));
      !valid) {
    co_return std::move(valid).error();
  }
  updated.version = current->version + 1;
  updated.updated_at = services.clock.Now();
  Status written = co_await services.store.UpdateAthlete(updated, current->version);
  if (!written) co_return std::move(written).error();
  co_return ResourceResponse(200, AthleteJson(updated), updated.version);
}

}  // namespace

Reply PatchAthlete(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  co_return co_await RetryLostRaces(
      request, "athlete", [&] { return PatchAthleteOnce(services, request, *principal); });
}

Reply DeleteAthlete(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  Result<Athlete> current = co_await PathAthlete(services, request);
  if (!current) co_return std::move(current).error();
  if (!CanActFor(*principal, current->id)) co_return Error::Forbidden();
  if (Status fresh = CheckIfMatch(request, current->version); !fresh) {
    co_return std::move(fresh).error();
  }
  Status deleted = co_await services.store.DeleteAthlete(current->id, IfMatchVersion(request));
  if (!deleted) co_return std::move(deleted).error();
  co_return NoContent();
}

}  // namespace tt::api
