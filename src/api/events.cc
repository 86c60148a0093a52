// An athlete's calendar: /athletes/{id}/events and /events/{id}.
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
namespace {

// An event name is at most 200 code points, so a longer prefix could match none.
constexpr size_t kMaxDisciplineLength = 200;

// The contract's 422s for an event: its competition must exist and contain its local day.
boost::asio::awaitable<Status> CheckCompetition(const Services& services, const Event& event) {
  Result<Competition> competition = co_await services.store.GetCompetition(event.competition_id);
  if (!competition) {
    if (competition.error().code == ErrorCode::kNotFound) {
      co_return Error::Validation({{"competition_id", std::string(kNoSuchCompetitionMessage)}});
    }
    co_return std::move(competition).error();
  }
  co_return CheckEventFitsCompetition(event, *competition);
}

// A write the store refused because the competition changed meanwhile (gone, or its dates
// moved): checking again gives the 422 a fresh request would get. Anything else stands.
boost::asio::awaitable<Error> EventWriteError(const Services& services, const Event& event,
                                              Error error) {
  if (error.code == ErrorCode::kNotFound || error.code == ErrorCode::kConflict) {
    if (Status fits = co_await CheckCompetition(services, event); !fits) {
      co_return std::move(fits).error();
    }
  }
  co_return error;
}

}  // namespace

// The store answers kNotFound for an unknown athlete, so the calendar needs no lookup first.
Reply ListAthleteEvents(const Services& services, const Request& request) {
  if (!IsValidId(request.PathParam("id"))) co_return Error::NotFound("no such athlete");
  FieldErrors errors;
  EventQuery query;
  query.athlete_id = std::string(request.PathParam("id"));
  query.limit = LimitParam(request, errors);
  query.from = DateParam(request, "from", errors);
  query.to = DateParam(request, "to", errors);
  CheckDateRange(query.from, query.to, errors);
  query.after = CursorParam(request, &DecodeEventCursor, errors);
  if (!errors.empty()) co_return errors.ToError();
  Result<Page<Event>> page = co_await services.store.ListEvents(query);
  if (!page) co_return std::move(page).error();
  co_return PageResponse(*page, &WriteEvent, [](const Event& last) {
    return EncodeEventCursor({last.date_time.instant(), last.id});
  });
}

Reply ListCompetitionEvents(const Services& services, const Request& request) {
  if (!IsValidId(request.PathParam("id"))) co_return Error::NotFound("no such competition");
  FieldErrors errors;
  StartListQuery query;
  query.competition_id = std::string(request.PathParam("id"));
  query.limit = LimitParam(request, errors);
  if (std::optional<std::string_view> discipline = request.Query("discipline")) {
    if (CodePointCount(*discipline).value_or(kMaxDisciplineLength + 1) > kMaxDisciplineLength) {
      errors.Add("discipline", "must be UTF-8 text of at most 200 characters");
    }
    query.discipline = std::string(*discipline);
  }
  query.after = CursorParam(request, &DecodeEventCursor, errors);
  if (!errors.empty()) co_return errors.ToError();
  Result<Page<StartListEntry>> page = co_await services.store.ListCompetitionEvents(query);
  if (!page) co_return std::move(page).error();
  co_return PageResponse(*page, &WriteStartListEntry, [](const StartListEntry& item) {
    const Event& last = item.event;
    return EncodeEventCursor({last.date_time.instant(), last.id});
  });
}

Reply CreateEvent(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  if (Result<Athlete> athlete = co_await PathAthlete(services, request); !athlete) {
    co_return std::move(athlete).error();
  }
  const std::string athlete_id(request.PathParam("id"));
  if (!CanActFor(*principal, athlete_id)) co_return Error::Forbidden();
  Event event;
  if (Status valid =
          ApplyBody(request, &DecodeEventPatch, &ApplyEventPatch, /*creating=*/true, event);
      !valid) {
    co_return std::move(valid).error();
  }
  if (Status fits = co_await CheckCompetition(services, event); !fits) {
    co_return std::move(fits).error();
  }
  event.id = NewId(services.random);
  event.athlete_id = athlete_id;
  event.created_at = event.updated_at = services.clock.Now();
  event.version = 1;
  Status created = co_await services.store.CreateEvent(event);
  if (!created) co_return co_await EventWriteError(services, event, std::move(created).error());
  co_return ResourceResponse(201, EventJson(event), event.version, "/events/" + event.id);
}

Reply GetEvent(const Services& services, const Request& request) {
  Result<Event> event = co_await PathEvent(services, request, "id");
  if (!event) co_return std::move(event).error();
  co_return ResourceResponse(200, EventJson(*event), event->version);
}

namespace {

// The event the path names, under the athlete it names; the athlete's user owns it.
WriteTarget<Event> PathEventTarget(const Services& services, const Request& request) {
  return {.name = "event",
          .load = [&services, &request] { return PathEvent(services, request, "event_id", "id"); },
          .owner = [](const Event& event) -> std::string_view { return event.athlete_id; }};
}

}  // namespace

Reply PatchEvent(const Services& services, const Request& request) {
  const PatchSteps<Event> steps{
      .target = PathEventTarget(services, request),
      .change = [&](const Principal&, const Event&, Event& updated) -> Async<Status> {
        if (Status valid = ApplyBody(request, &DecodeEventPatch, &ApplyEventPatch,
                                     /*creating=*/false, updated);
            !valid) {
          co_return std::move(valid);
        }
        co_return co_await CheckCompetition(services, updated);
      },
      .write = [&](const Event& updated, int64_t expected_version) -> Async<Status> {
        Status written = co_await services.store.UpdateEvent(updated, expected_version);
        if (!written)
          co_return co_await EventWriteError(services, updated, std::move(written).error());
        co_return Status::Ok();
      },
      .to_json = &EventJson};
  co_return co_await PatchResource(services, request, steps);
}

Reply DeleteEvent(const Services& services, const Request& request) {
  co_return co_await DeleteResource(services, request, PathEventTarget(services, request),
                                    [&](std::string_view id, std::optional<int64_t> version) {
                                      return services.store.DeleteEvent(id, version);
                                    });
}

}  // namespace tt::api
