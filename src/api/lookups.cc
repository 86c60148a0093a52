#include "api/lookups.h"

#include "domain/ids.h"

namespace tt::api {

boost::asio::awaitable<Result<User>> PathUser(const Services& services, const Request& request) {
  std::string_view id = request.PathParam("id");
  if (!IsValidId(id)) co_return Error::NotFound("no such user");
  co_return co_await services.store.GetUser(id);
}

boost::asio::awaitable<Result<Competition>> PathCompetition(const Services& services,
                                                            const Request& request) {
  std::string_view id = request.PathParam("id");
  if (!IsValidId(id)) co_return Error::NotFound("no such competition");
  co_return co_await services.store.GetCompetition(id);
}

boost::asio::awaitable<Result<Athlete>> PathAthlete(const Services& services,
                                                    const Request& request) {
  std::string_view id = request.PathParam("id");
  if (!IsValidId(id)) co_return Error::NotFound("no such athlete");
  co_return co_await services.store.GetAthlete(id);
}

boost::asio::awaitable<Result<Event>> PathEvent(const Services& services, const Request& request,
                                                std::string_view param,
                                                std::string_view athlete_param) {
  std::string_view id = request.PathParam(param);
  if (!IsValidId(id)) co_return Error::NotFound("no such event");
  Result<Event> event = co_await services.store.GetEvent(id);
  if (!event) co_return event;
  if (!athlete_param.empty() && event->athlete_id != request.PathParam(athlete_param)) {
    co_return Error::NotFound("no such event");
  }
  co_return event;
}

}  // namespace tt::api
