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
  FieldErrors decode_errors;
  Result<EventPatch> patch = DecodeEventPatch(request, decode_errors);
  if (!patch) co_return std::move(patch).error();

  Event event;
  if (Status valid =
          WithDecodeErrors(decode_errors, ApplyEventPatch(*patch, /*creating=*/true, event));
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

// One read-modify-write of PatchEvent (see RetryLostRaces).
Reply PatchEventOnce(const Services& services, const Request& request, const Principal& principal) {
  Result<Event> current = co_await PathEvent(services, request, "event_id", "id");
  if (!current) co_return std::move(current).error();
  if (!CanActFor(principal, current->athlete_id)) co_return Error::Forbidden();
  if (Status fresh = CheckIfMatch(request, current->version); !fresh) {
    co_return std::move(fresh).error();
  }
  FieldErrors decode_errors;
  Result<EventPatch> patch = DecodeEventPatch(request, decode_errors);
  if (!patch) co_return std::move(patch).error();
  Event updated = *current;
  if (Status valid =
          WithDecodeErrors(decode_errors, ApplyEventPatch(*patch, /*creating=*/false, updated));
      !valid) {
    co_return std::move(valid).error();
  }
  if (Status fits = co_await CheckCompetition(services, updated); !fits) {
    co_return std::move(fits).error();
  }
  updated.version = current->version + 1;
  updated.updated_at = services.clock.Now();
  Status written = co_await services.store.UpdateEvent(updated, current->version);
  if (!written) co_return co_await EventWriteError(services, updated, std::move(written).error());
  co_return ResourceResponse(200, EventJson(updated), updated.version);
}

}  // namespace

Reply PatchEvent(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  co_return co_await RetryLostRaces(request, "event",
                                    [&] { return PatchEventOnce(services, request, *principal); });
}

Reply DeleteEvent(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  Result<Event> current = co_await PathEvent(services, request, "event_id", "id");
  if (!current) co_return std::move(current).error();
  if (!CanActFor(*principal, current->athlete_id)) co_return Error::Forbidden();
  if (Status fresh = CheckIfMatch(request, current->version); !fresh) {
    co_return std::move(fresh).error();
  }
  Status deleted = co_await services.store.DeleteEvent(current->id, IfMatchVersion(request));
  if (!deleted) co_return std::move(deleted).error();
  co_return NoContent();
}

}  // namespace tt::api
