// Following athletes, and the feed of their upcoming competitions.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/auth.h"
#include "api/cached_read.h"
#include "api/encoding.h"
#include "api/handlers.h"
#include "api/json_body.h"
#include "domain/ids.h"

namespace tt::api {
namespace {

// Resolves `{id}` (which must be the caller) and `{athlete_id}` for follow and unfollow.
boost::asio::awaitable<Result<Principal>> FollowCaller(const Services& services,
                                                       const Request& request) {
  Result<Principal> principal =
      co_await AuthenticateSelf(services, request, "you can only change your own follows");
  if (!principal) co_return principal;
  const std::string_view user_id = request.PathParam("id");
  std::string_view athlete_id = request.PathParam("athlete_id");
  if (!IsValidId(athlete_id)) co_return Error::NotFound("no such athlete");
  if (athlete_id == user_id)
    co_return Error::Validation({{"athlete_id", "you cannot follow yourself"}});
  co_return principal;
}

}  // namespace

Reply Follow(const Services& services, const Request& request) {
  Result<Principal> principal = co_await FollowCaller(services, request);
  if (!principal) co_return std::move(principal).error();
  Status followed = co_await services.store.Follow(
      principal->user.id, request.PathParam("athlete_id"), services.clock.Now());
  if (!followed) co_return std::move(followed).error();
  co_return NoContent();
}

Reply Unfollow(const Services& services, const Request& request) {
  Result<Principal> principal = co_await FollowCaller(services, request);
  if (!principal) co_return std::move(principal).error();
  Status unfollowed =
      co_await services.store.Unfollow(principal->user.id, request.PathParam("athlete_id"));
  if (!unfollowed) co_return std::move(unfollowed).error();
  co_return NoContent();
}

Reply ListFollowing(const Services& services, const Request& request) {
  std::string_view user_id = request.PathParam("id");
  if (!IsValidId(user_id)) co_return Error::NotFound("no such user");
  FieldErrors errors;
  FollowingQuery query;
  query.user_id = std::string(user_id);
  query.limit = LimitParam(request, errors);
  query.after = CursorParam(request, &DecodeFollowCursor, errors);
  if (!errors.empty()) co_return errors.ToError();

  Result<Page<FollowedAthlete>> page = co_await services.store.ListFollowing(query);
  if (!page) co_return std::move(page).error();
  co_return PageResponse(*page, &WriteFollowedAthlete, [](const FollowedAthlete& last) {
    return EncodeFollowCursor({last.followed_at, last.athlete.id});
  });
}

// The store answers kNotFound for an unknown athlete, so no lookup comes first.
Reply ListFollowers(const Services& services, const Request& request) {
  std::string_view athlete_id = request.PathParam("id");
  if (!IsValidId(athlete_id)) co_return Error::NotFound("no such athlete");
  FieldErrors errors;
  FollowersQuery query;
  query.athlete_id = std::string(athlete_id);
  query.limit = LimitParam(request, errors);
  query.after = CursorParam(request, &DecodeFollowCursor, errors);
  if (!errors.empty()) co_return errors.ToError();

  Result<Page<Follower>> page = co_await services.store.ListFollowers(query);
  if (!page) co_return std::move(page).error();
  co_return PageResponse(*page, &WriteFollower, [](const Follower& last) {
    return EncodeFollowCursor({last.followed_at, last.id});
  });
}

Reply Feed(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  std::string_view user_id = request.PathParam("id");
  if (!IsValidId(user_id)) co_return Error::NotFound("no such user");
  if (!CanActFor(*principal, user_id)) co_return Error::Forbidden();

  FieldErrors errors;
  FeedQuery query;
  query.user_id = std::string(user_id);
  query.limit = LimitParam(request, errors);
  query.from = DateParam(request, "from", errors).value_or(Date::OfInstant(services.clock.Now()));
  query.after = CursorParam(request, &DecodeCompetitionCursor, errors);
  if (!errors.empty()) co_return errors.ToError();

  // Every field of the query, as parsed: `from` defaults to today, so the raw URL would not do.
  std::string key = ResponseCache::Key()
                        .Add("feed")
                        .Add(query.user_id)
                        .Add(query.from.ToString())
                        .Add(query.after.has_value() ? EncodeCompetitionCursor(*query.after) : "")
                        .Add(query.limit)
                        .Take();
  co_return co_await CachedRead(services, ReadScope::kFeeds, std::move(key), [&]() -> Reply {
    Result<Page<FeedEntry>> page = co_await services.store.Feed(query);
    if (!page) co_return std::move(page).error();
    co_return PageResponse(*page, &WriteFeedEntry, [](const FeedEntry& item) {
      const Competition& last = item.competition;
      return EncodeCompetitionCursor({last.start_date, last.id});
    });
  });
}

}  // namespace tt::api
