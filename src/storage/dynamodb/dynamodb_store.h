// DynamoDbStore: the Store kept in one DynamoDB table (with two global secondary indexes), for
// any number of stateless server instances sharing it. docs/DYNAMODB.md describes the data model
// (every item, key and index), the access pattern each serves and what each method costs.
//
// Threading: every method may be called concurrently from any number of threads and coroutines;
// the store holds no lock and no mutable state besides atomic counters. Each call runs on the
// calling coroutine's executor; the methods that fan out (the feed, batches, cascades) spawn
// their parallel requests on that same executor, at most 32 at a time.
//
// Consistency: point reads and the queries that other writes depend on (a user's partition: its
// profile, athlete profile and follows; sign-in failures) use ConsistentRead, so a write that
// returned OK is seen by every instance's next read. Lists, calendars and the feed read global
// secondary indexes, which DynamoDB updates asynchronously: a write can take a moment (typically
// well under a second) to show there.
//
// Atomicity: DynamoDB transactions are not used (dynalite, the test backend, has none). Each
// method commits with one conditional single-item write (the "commit point"): conditions on
// `version` give optimistic concurrency, `attribute_not_exists` gives uniqueness. Writes a method
// makes around its commit point are ordered so that every intermediate state is harmless, and a
// write that loses a race undoes itself: a username is claimed before its user is written;
// deletes remove the parent first, then its dependents; an event is checked again against its
// competition after it is written. If a process dies between those steps, readers ignore what is
// left (a session of a deleted user, a follow of a deleted athlete) and the next write to the
// same key cleans it up. docs/DYNAMODB.md lists the remaining windows.
//
// Errors: ConditionalCheckFailedException becomes kNotFound, kPreconditionFailed or kConflict as
// store.h specifies; kUnavailable from the client (unreachable, throttled through every retry)
// passes through; a missing table is kUnavailable naming the table; every other DynamoDB error is
// logged (operation, error type and message; never credentials) and answers kInternal.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/clock.h"
#include "log/logger.h"
#include "storage/change_encoder.h"
#include "storage/dynamodb/client.h"
#include "storage/store.h"

namespace tt {

struct DynamoDbStoreOptions {
  dynamodb::ClientOptions client;
  // Prepended to the table name ("<prefix>data"), so that several deployments or test runs can
  // share one account and region.
  std::string table_prefix = "track_tracker_";
  // Create the table when it is missing (and wait until it is ACTIVE). When false, a missing
  // table makes Open fail with kUnavailable.
  bool create_tables = true;
  // Writes the change log's data. Required.
  std::shared_ptr<const ChangeEncoder> change_encoder;
  // The time change records carry; nullptr: the system clock. Must outlive the store.
  const Clock* clock = nullptr;
};

class DynamoDbStore final : public Store {
 public:
  // Connects, makes sure the table exists (creating it when `create_tables`) and is ACTIVE.
  // kUnavailable when DynamoDB cannot be reached or the table is missing; kInternal for a bad
  // endpoint, a table with another key schema or an unexpected DynamoDB error. The message is
  // one line for the operator.
  static boost::asio::awaitable<Result<std::unique_ptr<DynamoDbStore>>> Open(
      DynamoDbStoreOptions options, Logger& logger);

  // Creates the table with its indexes (PAY_PER_REQUEST) when missing, waits until it is ACTIVE
  // and enables TTL on `ttl` when the endpoint supports it. For `track-tracker init-db`.
  static boost::asio::awaitable<Status> CreateTables(const DynamoDbStoreOptions& options,
                                                     Logger& logger);

  // The one table this store uses for `table_prefix`.
  static std::string TableName(std::string_view table_prefix);

  ~DynamoDbStore() override;

  const std::string& table_name() const { return table_; }

  std::vector<StoreCounter> Counters() const override;
  Async<Status> Ping() override;

  Async<Status> CreateUser(const User& user, const std::string& password_hash) override;
  Async<Result<User>> GetUser(std::string_view id) override;
  Async<Result<UserCredentials>> FindUserByUsername(std::string_view username) override;
  Async<Status> UpdateUser(const User& user, int64_t expected_version,
                           const std::optional<std::string>& new_password_hash,
                           std::string_view keep_session_hash) override;
  Async<Status> DeleteUser(std::string_view id, std::optional<int64_t> expected_version) override;

  Async<Status> CreateSession(const Session& session) override;
  Async<Result<std::pair<Session, User>>> FindSession(std::string_view token_hash) override;
  Async<Status> DeleteSession(std::string_view token_hash) override;
  Async<Status> RecordSignInFailure(std::string_view username_key, Timestamp at) override;
  Async<Result<std::vector<Timestamp>>> SignInFailuresSince(std::string_view username_key,
                                                            Timestamp since) override;
  Async<Status> ClearSignInFailures(std::string_view username_key) override;

  Async<Status> SetCalendarToken(std::string_view user_id, std::string_view token_hash,
                                 Timestamp at) override;
  Async<Status> DeleteCalendarToken(std::string_view user_id) override;
  Async<Result<User>> FindCalendarTokenUser(std::string_view token_hash) override;

  Async<Status> CreateCompetition(const Competition& competition) override;
  Async<Result<Competition>> GetCompetition(std::string_view id) override;
  Async<Result<std::vector<Competition>>> GetCompetitions(
      std::span<const std::string> ids) override;
  Async<Status> UpdateCompetition(const Competition& competition,
                                  int64_t expected_version) override;
  Async<Status> DeleteCompetition(std::string_view id,
                                  std::optional<int64_t> expected_version) override;
  Async<Result<Page<Competition>>> ListCompetitions(const CompetitionQuery& query) override;

  Async<Status> CreateAthlete(const Athlete& athlete) override;
  Async<Result<Athlete>> GetAthlete(std::string_view id) override;
  Async<Status> UpdateAthlete(const Athlete& athlete, int64_t expected_version) override;
  Async<Status> DeleteAthlete(std::string_view id,
                              std::optional<int64_t> expected_version) override;
  Async<Result<Page<Athlete>>> ListAthletes(const AthleteQuery& query) override;

  Async<Status> Follow(std::string_view user_id, std::string_view athlete_id,
                       Timestamp at) override;
  Async<Status> Unfollow(std::string_view user_id, std::string_view athlete_id) override;
  Async<Result<Page<FollowedAthlete>>> ListFollowing(const FollowingQuery& query) override;
  Async<Result<Page<Follower>>> ListFollowers(const FollowersQuery& query) override;

  Async<Status> CreateEvent(const Event& event) override;
  Async<Result<Event>> GetEvent(std::string_view id) override;
  Async<Status> UpdateEvent(const Event& event, int64_t expected_version) override;
  Async<Status> DeleteEvent(std::string_view id, std::optional<int64_t> expected_version) override;
  Async<Result<Page<Event>>> ListEvents(const EventQuery& query) override;
  Async<Result<Page<StartListEntry>>> ListCompetitionEvents(const StartListQuery& query) override;

  Async<Result<Page<FeedEntry>>> Feed(const FeedQuery& query) override;

  Async<Result<Page<Change>>> ListChanges(const ChangeQuery& query) override;
  Async<Result<int64_t>> DeleteChangesBefore(Timestamp before) override;

  Async<Status> CreateWebhookEndpoint(const WebhookEndpoint& endpoint,
                                      const WebhookSecrets& secrets) override;
  Async<Result<std::pair<WebhookEndpoint, WebhookSecrets>>> GetWebhookEndpoint(
      std::string_view id) override;
  Async<Result<Page<WebhookEndpoint>>> ListWebhookEndpoints(
      const WebhookEndpointQuery& query) override;
  Async<Status> UpdateWebhookEndpoint(const WebhookEndpoint& endpoint, int64_t expected_version,
                                      const std::optional<WebhookSecrets>& secrets) override;
  Async<Status> DeleteWebhookEndpoint(std::string_view id,
                                      std::optional<int64_t> expected_version) override;
  Async<Result<int64_t>> LeaseFanOut(const Lease& lease, Timestamp now) override;
  Async<Status> FanOut(const Lease& lease, int64_t from, int64_t to,
                       const std::vector<WebhookDelivery>& deliveries) override;
  Async<Result<std::vector<WebhookDelivery>>> ClaimDueDeliveries(
      const DeliveryClaim& claim) override;
  Async<Status> RecordDeliveryAttempt(const WebhookDelivery& delivery, const Lease& lease,
                                      bool disable_endpoint) override;
  Async<Result<WebhookDelivery>> GetWebhookDelivery(std::string_view endpoint_id,
                                                    int64_t change_id) override;
  Async<Result<Page<WebhookDelivery>>> ListWebhookDeliveries(
      const WebhookDeliveryQuery& query) override;
  Async<Status> RedeliverWebhookDelivery(std::string_view endpoint_id, int64_t change_id,
                                         Timestamp now) override;
  Async<Result<int64_t>> DeleteFinishedDeliveriesBefore(Timestamp before) override;
  Async<Result<DeliveryBacklog>> GetDeliveryBacklog() override;

 private:
  using Item = boost::json::object;

  // Requests one call keeps in flight at most (feed queries, batch chunks, cascades).
  static constexpr size_t kMaxParallel = 32;

  DynamoDbStore(std::unique_ptr<dynamodb::Client> client, std::string table, Logger& logger,
                std::shared_ptr<const ChangeEncoder> change_encoder, const Clock& clock);

  // ---- Requests (dynamodb_store_requests.cc) ----------------------------------------------
  // Calls `operation` on the table. A success or a ConditionalCheckFailedException comes back
  // as the Reply (see ConditionFailed); every other error is translated as the header says.
  // Callers build `request` in a named variable, never as a braced temporary inside the
  // co_await expression: g++ 12 rejects an initializer list there ("array used as initializer").
  Async<Result<dynamodb::Reply>> Call(std::string_view operation, Item request);
  static bool ConditionFailed(const dynamodb::Reply& reply);
  // The item at `key`, or nullopt. Strongly consistent.
  Async<Result<std::optional<Item>>> GetItem(Item key);
  // Every item a Query returns, following LastEvaluatedKey.
  Async<Result<std::vector<Item>>> QueryAll(Item request);
  // Items of a Query in order, read page by page until `wanted` of them pass `keep` (all pass
  // when it is empty) or the query is exhausted.
  Async<Result<std::vector<Item>>> QueryUpTo(Item request, size_t wanted,
                                             const std::function<bool(const Item&)>& keep = {});
  // Calls `visit` on the items of a Query in order, page by page, until it returns false or the
  // query is exhausted.
  Async<Status> QueryWhile(Item request, const std::function<bool(const Item&)>& visit);
  // Every item of partition `partition` of index `index` (dynamodb::kGsi1 or kGsi2), following
  // LastEvaluatedKey. Index reads are eventually consistent.
  Async<Result<std::vector<Item>>> QueryIndexPartition(std::string_view index,
                                                       std::string_view partition);
  // Deletes the table items that partition `partition` of index `index` holds (BatchDelete),
  // except those `keep` returns true for: the cascade of a deleted parent.
  Async<Status> DeleteIndexPartition(std::string_view index, std::string_view partition,
                                     const std::function<bool(const Item&)>& keep = {});
  // The items at `keys` that exist, in no particular order: BatchGetItem in chunks of 100, run
  // concurrently, UnprocessedKeys retried with backoff. Duplicate keys are read once.
  Async<Result<std::vector<Item>>> BatchGet(std::vector<Item> keys, bool consistent);
  // Deletes the items at `keys` (absent ones are no error): BatchWriteItem in chunks of 25,
  // UnprocessedItems retried with backoff.
  Async<Status> BatchDelete(std::vector<Item> keys);
  // Runs task(0) .. task(count - 1), at most `kMaxParallel` at once, on a strand of the caller's
  // executor.
  // The first error wins; tasks not yet started then are skipped.
  static Async<Status> ForEachConcurrently(size_t count,
                                           const std::function<Async<Status>(size_t)>& task);
  // After a conditional write on `key` failed: kNotFound (`not_found_message`) when the item
  // is gone, else kPreconditionFailed.
  Async<Status> VersionFailure(Item key, std::string_view not_found_message);
  // Deletes the item at `key` on condition that it exists and, when given, has
  // `expected_version`; kNotFound / kPreconditionFailed as VersionFailure. The reply carries the
  // deleted item's attributes when `return_old`.
  Async<Result<dynamodb::Reply>> DeleteVersioned(Item key, std::optional<int64_t> expected_version,
                                                 std::string_view not_found_message,
                                                 bool return_old = false);
  // Sleeps before retry `attempt` (1-based) of unprocessed batch items; kUnavailable after the
  // last one.
  Async<Status> BackOff(int attempt);

  // ---- Data migrations (dynamodb_store_migrations.cc) ---------------------------------------
  // Rewrites the items that earlier versions keyed differently, once per table (Open calls it).
  Async<Status> MigrateData();
  // Migration 1: follows of earlier versions get the followers list's time-ordered gsi2sk.
  Async<Status> RekeyFollowersByTime();
  // Migration 2: endpoints join the registry; pending deliveries move from the one due list to
  // their endpoint's, and those of endpoints that are gone are deleted.
  Async<Status> MoveWebhooksOffSharedLists();

  // ---- Webhook endpoints (dynamodb_store_webhooks.cc) ----------------------------------------
  // Every endpoint the registry names, in creation order: the registry is read consistently, and
  // the endpoints too when `consistent`, which then include every one whose creation answered.
  Async<Result<std::vector<WebhookEndpoint>>> AllWebhookEndpoints(bool consistent);
  // `action` ("ADD" or "DELETE") `id` in the registry's set.
  Async<Status> ChangeWebhookRegistry(std::string_view action, std::string_view id);
  // The ids in the registry.
  Async<Result<std::set<std::string, std::less<>>>> RegisteredWebhookIds();
  // The deliveries of endpoint `id`, which is gone, and its id in the registry.
  Async<Status> RemoveEndpointLeftovers(std::string_view id);
  // RemoveEndpointLeftovers for every registered id that had no endpoint at this sweep and the
  // one before (so that a creation between its two writes is not taken for a leftover).
  Async<Status> SweepDeletedWebhookEndpoints();

  // ---- Claims of webhook deliveries (dynamodb_store_deliveries.cc) ---------------------------
  // What a claim's walks found, by index in its list of enabled endpoints: the due deliveries
  // whose lease is free, and how many due entries each walk met (leased ones count toward the
  // endpoint's limit).
  struct DueCandidates {
    std::vector<std::vector<Item>> per_endpoint;
    std::vector<int> met;
  };
  // Reads each endpoint's due list, concurrently, up to claim.per_endpoint entries.
  Async<Status> WalkDueLists(const std::vector<WebhookEndpoint>& endpoints,
                             const DeliveryClaim& claim, DueCandidates& due);
  // Reads at most 100 entries of the earlier version's shared due list, where its instances
  // still put deliveries during a rolling upgrade, within the same limits.
  Async<Status> WalkLegacyDueList(const std::vector<WebhookEndpoint>& endpoints,
                                  const DeliveryClaim& claim, DueCandidates& due);
  // Leases `due` in order while its lease is free and its due time unchanged, until claim.limit
  // are leased. A call that fails after some were leased answers those.
  Async<Result<std::vector<WebhookDelivery>>> LeaseDue(const std::vector<Item>& due,
                                                       const DeliveryClaim& claim);

  // ---- The change log (dynamodb_store_changes.cc) --------------------------------------------
  // Appends the record of a change that has just been committed: called after the commit point
  // and before the method answers, so an answered write always has its record.
  Async<Status> AppendChange(ChangeType type, std::string data);
  // The greatest id retention has deleted up to (0 when none).
  Async<Result<int64_t>> ChangesPrunedThrough();

  // ---- Shared steps --------------------------------------------------------------------------
  // The user item and the athlete item (if any) of user `id`, in one consistent Query.
  struct Profile {
    std::optional<Item> user;
    std::optional<Item> athlete;
  };
  Async<Result<Profile>> ReadProfile(std::string_view id);
  // Deletes what hangs off athlete `id` once its profile is gone: its events and the follows of
  // it.
  Async<Status> DeleteAthleteDependents(std::string_view id);
  // Deletes calendar token item `token_hash` (none when empty); see
  // dynamodb_store_calendars.cc.
  Async<Status> DeleteCalendarTokenItem(std::string_view token_hash);
  // The longest competition ever stored, in days (end - start): a lower bound on the start of
  // any competition that ends on or after a date, for lists and the feed.
  Async<Result<int64_t>> MaxCompetitionSpan();
  // Raises that bound to at least `days` before a competition with that span is written.
  Async<Status> RecordCompetitionSpan(int64_t days);
  // Increments the competition's event_writes when the competition exists and `local_date` is
  // within its dates, so that a concurrent UpdateCompetition that read the old count fails and
  // checks again. kNotFound or kConflict otherwise.
  Async<Status> ConfirmEventFits(std::string_view competition_id, const Date& local_date);

  // ListCompetitions once the longest competition span (MaxCompetitionSpan) is known; `span` is
  // used only with `query.from`.
  Async<Result<Page<Competition>>> ListCompetitionsWithSpan(const CompetitionQuery& query,
                                                            int64_t span);

  // ---- The feed's two plans (dynamodb_store_feed.cc) -----------------------------------------
  // Both answer the page of `query` for a user who follows `followed` (athlete ids), given the
  // longest competition span.
  // One Query of each followed athlete's calendar: N + 2 calls or so, whatever the page.
  Async<Result<Page<FeedEntry>>> FeedByCalendars(const FeedQuery& query,
                                                 const std::vector<std::string>& followed,
                                                 int64_t span);
  // The competitions in page order, one Query of the events at each, kept when a followed
  // athlete has one there. nullopt when it would need more calls than there are followed
  // athletes (their events are rare among the competitions): FeedByCalendars is cheaper then.
  Async<Result<std::optional<Page<FeedEntry>>>> FeedByCompetitions(
      const FeedQuery& query, const std::vector<std::string>& followed, int64_t span);

  std::unique_ptr<dynamodb::Client> client_;
  std::string table_;
  Logger& logger_;
  // Makes sign-in failure keys unique across instances and calls (see RecordSignInFailure).
  std::string nonce_prefix_;
  std::atomic<uint64_t> nonce_counter_{0};
  // A lower bound of the stored MaxCompetitionSpan, to skip writes that would not raise it.
  std::atomic<int64_t> known_span_{-1};
  std::shared_ptr<const ChangeEncoder> change_encoder_;
  const Clock& clock_;
  // SweepDeletedWebhookEndpoints' memory of the ids it found without an endpoint.
  std::mutex sweep_mutex_;
  std::set<std::string, std::less<>> webhooks_missing_at_last_sweep_;
};

}  // namespace tt
