// Store: where Track Tracker keeps its data, over domain types. Implementations: SqliteStore
// (sqlite/, an embedded file, the default) and the DynamoDB store (dynamodb/, for many stateless
// server instances sharing one table set).
//
// Thread-safety: every method may be called concurrently from any number of threads and
// coroutines. Methods are coroutines so that a network-backed store can wait without blocking
// an I/O thread; an embedded store may complete them synchronously.
//
// Errors: expected outcomes come back as Error values, never exceptions:
//   kNotFound            the addressed item does not exist;
//   kConflict            a uniqueness or integrity rule would break (detailed per method);
//   kPreconditionFailed  `expected_version` did not match the stored version;
//   kUnavailable         the backend cannot be reached or is overloaded (retry later);
//   kInternal            anything else; the message is safe to show, details are logged.
// Every write is atomic: it happens whole or not at all, and once a write has returned OK it
// survives a crash of the process.
//
// Change log: each write that changes a competition, an event or a follow, or deletes an athlete
// profile or a user, appends one Change (domain/change.h) whose data the store's ChangeEncoder
// writes; a write that fails or changes nothing (following again, unfollowing someone not
// followed) appends none. What a deletion takes with it (a competition's events, a user's
// follows) gets no record of its own: the deletion's record stands for it. Each backend's header
// says how the record is tied to the change's commit.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/athlete.h"
#include "domain/change.h"
#include "domain/competition.h"
#include "domain/error.h"
#include "domain/event.h"
#include "domain/feed.h"
#include "domain/user.h"
#include "domain/webhook.h"
#include "domain/webhook_delivery.h"

namespace tt {

template <typename T>
using Async = boost::asio::awaitable<T>;

inline constexpr std::chrono::hours kSignInFailureRetention{24};

// A count of work a store has done (or a level it holds), for /metrics and benchmarks.
struct StoreCounter {
  std::string name;  // a Prometheus metric name, e.g. "tt_sqlite_statements_total"
  std::string help;
  uint64_t value = 0;
  bool gauge = false;  // a level that goes up and down (bytes held), not a monotonic count
};

// What a read depends on, for caches kept above the store (see Store::ReadGeneration).
enum class ReadScope {
  kCompetitions,  // competitions: one, a batch, a list
  kFeeds,         // feeds: follows, events, athletes and competitions
};

class Store {
 public:
  virtual ~Store() = default;

  // A number that changes before any write that can change reads of `scope` is answered, so a
  // cache above the store can keep an answer read after taking generation G, and serve it while
  // ReadGeneration(scope) is still G: no write it could miss has been answered. nullopt when
  // this store cannot tell, as when other processes write the same data (DynamoDB): then keep
  // nothing. Cheap; any thread may call it.
  virtual std::optional<uint64_t> ReadGeneration(ReadScope /*scope*/) const { return std::nullopt; }

  // The store's own counters (statements run, calls made). Cheap; any thread may call it.
  virtual std::vector<StoreCounter> Counters() const = 0;

  // Cheap round trip for readiness probes.
  virtual Async<Status> Ping() = 0;

  // ---- Users -----------------------------------------------------------------------------
  // kConflict when UsernameKey(user.username) is taken. `user.is_athlete` is ignored.
  virtual Async<Status> CreateUser(const User& user, const std::string& password_hash) = 0;
  virtual Async<Result<User>> GetUser(std::string_view id) = 0;
  // Matches UsernameKey(username).
  virtual Async<Result<UserCredentials>> FindUserByUsername(std::string_view username) = 0;
  // Writes display_name, email, is_admin, updated_at and version of `user` when the stored
  // version is `expected_version`. With `new_password_hash`, also replaces the password hash and
  // deletes every session of the user except the one whose hash is `keep_session_hash`.
  virtual Async<Status> UpdateUser(const User& user, int64_t expected_version,
                                   const std::optional<std::string>& new_password_hash,
                                   std::string_view keep_session_hash) = 0;
  // Deletes the user, its sessions, its calendar token, its athlete profile, its events and its
  // follows both ways.
  // Competitions it created stay, with created_by cleared.
  virtual Async<Status> DeleteUser(std::string_view id,
                                   std::optional<int64_t> expected_version) = 0;

  // ---- Sessions and sign-in throttling ---------------------------------------------------
  // kNotFound when the user does not exist. May delete that user's expired sessions.
  virtual Async<Status> CreateSession(const Session& session) = 0;
  // The session and its user; expiry is the caller's to check.
  virtual Async<Result<std::pair<Session, User>>> FindSession(std::string_view token_hash) = 0;
  // Not an error if it did not exist.
  virtual Async<Status> DeleteSession(std::string_view token_hash) = 0;
  // Failed sign-ins are kept per UsernameKey, whether or not such a user exists, for at least
  // kSignInFailureRetention; older ones may be forgotten.
  virtual Async<Status> RecordSignInFailure(std::string_view username_key, Timestamp at) = 0;
  // Failures at or after `since`, oldest first.
  virtual Async<Result<std::vector<Timestamp>>> SignInFailuresSince(std::string_view username_key,
                                                                    Timestamp since) = 0;
  virtual Async<Status> ClearSignInFailures(std::string_view username_key) = 0;

  // ---- Calendar feed tokens --------------------------------------------------------------
  // A user has at most one calendar token (GET /calendars/{token}.ics); only its hash is stored.
  // Makes `token_hash` the user's token, replacing (and so revoking) any earlier one, in one
  // atomic step. kNotFound when the user does not exist.
  virtual Async<Status> SetCalendarToken(std::string_view user_id, std::string_view token_hash,
                                         Timestamp at) = 0;
  // Revokes the user's token; not an error when it has none. kNotFound when no such user.
  virtual Async<Status> DeleteCalendarToken(std::string_view user_id) = 0;
  // The user whose current token hashes to `token_hash`. kNotFound for a hash that is unknown,
  // was rotated or revoked, or whose user is gone.
  virtual Async<Result<User>> FindCalendarTokenUser(std::string_view token_hash) = 0;

  // ---- Competitions ----------------------------------------------------------------------
  virtual Async<Status> CreateCompetition(const Competition& competition) = 0;
  virtual Async<Result<Competition>> GetCompetition(std::string_view id) = 0;
  // The competitions among `ids` that exist, each once, in no particular order.
  virtual Async<Result<std::vector<Competition>>> GetCompetitions(
      std::span<const std::string> ids) = 0;
  // Replaces the stored competition when its version is `expected_version`. kConflict when an
  // event at it would fall outside the new dates.
  virtual Async<Status> UpdateCompetition(const Competition& competition,
                                          int64_t expected_version) = 0;
  // Deletes the competition and every event at it.
  virtual Async<Status> DeleteCompetition(std::string_view id,
                                          std::optional<int64_t> expected_version) = 0;
  virtual Async<Result<Page<Competition>>> ListCompetitions(const CompetitionQuery& query) = 0;

  // ---- Athletes and following ------------------------------------------------------------
  // kNotFound when the user does not exist; kConflict when it already is an athlete.
  virtual Async<Status> CreateAthlete(const Athlete& athlete) = 0;
  virtual Async<Result<Athlete>> GetAthlete(std::string_view id) = 0;
  // Writes the profile fields, updated_at and version when the version matches.
  virtual Async<Status> UpdateAthlete(const Athlete& athlete, int64_t expected_version) = 0;
  // Deletes the profile, its events and the follows of it; the user stays.
  virtual Async<Status> DeleteAthlete(std::string_view id,
                                      std::optional<int64_t> expected_version) = 0;
  virtual Async<Result<Page<Athlete>>> ListAthletes(const AthleteQuery& query) = 0;

  // Idempotent: following again keeps the first follow time. kNotFound when no such athlete
  // (or no such user).
  virtual Async<Status> Follow(std::string_view user_id, std::string_view athlete_id,
                               Timestamp at) = 0;
  // Idempotent.
  virtual Async<Status> Unfollow(std::string_view user_id, std::string_view athlete_id) = 0;
  // kNotFound when the user does not exist (an empty page means it follows no one).
  virtual Async<Result<Page<FollowedAthlete>>> ListFollowing(const FollowingQuery& query) = 0;
  // The users following the athlete, newest follow first. kNotFound when the athlete does not
  // exist (an empty page means no followers). Once writes have settled, the pages together list
  // exactly follower_count users.
  virtual Async<Result<Page<Follower>>> ListFollowers(const FollowersQuery& query) = 0;

  // ---- Events ----------------------------------------------------------------------------
  // kNotFound (message names it) when the athlete or the competition is gone; kConflict when
  // the event's local day is outside the competition's dates at the time of writing.
  virtual Async<Status> CreateEvent(const Event& event) = 0;
  virtual Async<Result<Event>> GetEvent(std::string_view id) = 0;
  // As CreateEvent, plus kPreconditionFailed on a version mismatch.
  virtual Async<Status> UpdateEvent(const Event& event, int64_t expected_version) = 0;
  virtual Async<Status> DeleteEvent(std::string_view id,
                                    std::optional<int64_t> expected_version) = 0;
  // kNotFound when the athlete does not exist (an empty page means an empty calendar).
  virtual Async<Result<Page<Event>>> ListEvents(const EventQuery& query) = 0;
  // The competition's start list: its events in (instant, id) order, each with its athlete,
  // filtered by MatchesDiscipline. kNotFound when the competition does not exist.
  virtual Async<Result<Page<StartListEntry>>> ListCompetitionEvents(
      const StartListQuery& query) = 0;

  // ---- Feed ------------------------------------------------------------------------------
  // kNotFound when the user does not exist.
  virtual Async<Result<Page<FeedEntry>>> Feed(const FeedQuery& query) = 0;

  // ---- Change log ------------------------------------------------------------------------
  // The changes with ids above `query.after`, in id order, at most `query.limit`. Ids grow in
  // the order the changes became visible, so a reader that asks again after the last id it got
  // never misses or repeats one (until DeleteChangesBefore removes it).
  virtual Async<Result<Page<Change>>> ListChanges(const ChangeQuery& query) = 0;
  // Forgets the changes that occurred before `before` (retention); returns how many it removed.
  virtual Async<Result<int64_t>> DeleteChangesBefore(Timestamp before) = 0;

  // ---- Webhook endpoints -----------------------------------------------------------------
  // kConflict when the id is taken.
  virtual Async<Status> CreateWebhookEndpoint(const WebhookEndpoint& endpoint,
                                              const WebhookSecrets& secrets) = 0;
  virtual Async<Result<std::pair<WebhookEndpoint, WebhookSecrets>>> GetWebhookEndpoint(
      std::string_view id) = 0;
  // In creation order; sees every endpoint whose creation has answered (the fan-out relies on
  // it: a change committed after that goes to the new endpoint).
  virtual Async<Result<Page<WebhookEndpoint>>> ListWebhookEndpoints(
      const WebhookEndpointQuery& query) = 0;
  // Writes the client fields, updated_at and version of `endpoint`, and `secrets` when given,
  // when the stored version is `expected_version`.
  virtual Async<Status> UpdateWebhookEndpoint(const WebhookEndpoint& endpoint,
                                              int64_t expected_version,
                                              const std::optional<WebhookSecrets>& secrets) = 0;
  virtual Async<Status> DeleteWebhookEndpoint(std::string_view id,
                                              std::optional<int64_t> expected_version) = 0;

  // ---- Webhook deliveries ----------------------------------------------------------------
  // Deleting an endpoint deletes its deliveries.
  //
  // Fan-out turns changes into deliveries, one instance at a time: LeaseFanOut answers the last
  // change id fanned out when `lease.owner` may go on from it (no lease, an expired one, or its
  // own), and leases the position to it until `lease.until`; kConflict while another owner's
  // lease runs. FanOut then creates `deliveries` (one that exists is left as it is, so a repeat
  // changes nothing) and moves the position from `from` to `to`, on condition that the owner
  // still holds the lease and the position is still `from`; kConflict otherwise, when SQLite
  // writes nothing and DynamoDB may have created some of the deliveries (harmless, as above).
  virtual Async<Result<int64_t>> LeaseFanOut(const Lease& lease, Timestamp now) = 0;
  virtual Async<Status> FanOut(const Lease& lease, int64_t from, int64_t to,
                               const std::vector<WebhookDelivery>& deliveries) = 0;
  // Leases to `claim.lease.owner` the pending deliveries due at `claim.now` whose lease is
  // free (none, or expired), earliest due first, at most claim.limit in all, and for each
  // endpoint at most claim.per_endpoint less its deliveries under an unexpired lease (of any
  // owner). Deliveries of disabled endpoints are not taken. A claim that fails after leasing
  // some (DynamoDB leases one at a time) answers those rather than the error.
  virtual Async<Result<std::vector<WebhookDelivery>>> ClaimDueDeliveries(
      const DeliveryClaim& claim) = 0;
  // Writes an attempt's outcome (status, attempts, last_*, next_attempt_at of `delivery`) and
  // frees the lease, if `lease` (owner and until, as claimed) is still the delivery's: kConflict
  // when it is not, because the lease expired and was claimed again, by another owner or the
  // same (the outcome is dropped; the newer attempt counts); kNotFound when the delivery is
  // gone. With `disable_endpoint` (the receiver answered 410), the endpoint is disabled too.
  virtual Async<Status> RecordDeliveryAttempt(const WebhookDelivery& delivery, const Lease& lease,
                                              bool disable_endpoint) = 0;
  virtual Async<Result<WebhookDelivery>> GetWebhookDelivery(std::string_view endpoint_id,
                                                            int64_t change_id) = 0;
  virtual Async<Result<Page<WebhookDelivery>>> ListWebhookDeliveries(
      const WebhookDeliveryQuery& query) = 0;
  // Makes the delivery pending again, due at `now`, with no attempts and no lease (redeliver).
  virtual Async<Status> RedeliverWebhookDelivery(std::string_view endpoint_id, int64_t change_id,
                                                 Timestamp now) = 0;
  // Deletes the succeeded and failed deliveries whose last attempt was before `before`
  // (retention; pending ones are kept, whatever their age); answers how many it removed. On
  // DynamoDB it also removes what a delete of an endpoint that failed half way left behind.
  virtual Async<Result<int64_t>> DeleteFinishedDeliveriesBefore(Timestamp before) = 0;
  // How many deliveries are pending, of every endpoint (disabled ones' included), and since
  // when the oldest. Its cost grows with the backlog on DynamoDB (a walk of each endpoint's due
  // list; deliveries an instance of the earlier version left on the shared list are not counted).
  virtual Async<Result<DeliveryBacklog>> GetDeliveryBacklog() = 0;
};

}  // namespace tt
