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
  Athlete athlete;
  if (Status valid = ApplyBody(request, &DecodeAthletePatch, &ApplyAthletePatch,
                               /*creating=*/true, athlete);
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

// The athlete the path names; it is its own user's.
WriteTarget<Athlete> PathAthleteTarget(const Services& services, const Request& request) {
  return {.name = "athlete",
          .load = [&services, &request] { return PathAthlete(services, request); },
          .owner = [](const Athlete& athlete) -> std::string_view { return athlete.id; }};
}

}  // namespace

Reply PatchAthlete(const Services& services, const Request& request) {
  const PatchSteps<Athlete> steps{
      .target = PathAthleteTarget(services, request),
      .change = ApplyBodyChange(request, &DecodeAthletePatch, &ApplyAthletePatch),
      .write =
          [&](const Athlete& updated, int64_t expected_version) {
            return services.store.UpdateAthlete(updated, expected_version);
          },
      .to_json = &AthleteJson};
  co_return co_await PatchResource(services, request, steps);
}

Reply DeleteAthlete(const Services& services, const Request& request) {
  co_return co_await DeleteResource(services, request, PathAthleteTarget(services, request),
                                    [&](std::string_view id, std::optional<int64_t> version) {
                                      return services.store.DeleteAthlete(id, version);
                                    });
}

}  // namespace tt::api
