// SqliteStore: the Store kept in one SQLite database file, the default backend for a single
// server instance.
//
// Threading: every method may be called from any number of threads at once. Reads borrow a
// connection from a small pool (one per hardware thread plus one) for their duration, so they
// run in parallel up to the pool size; they see one consistent snapshot and never wait for
// writers (WAL), and complete synchronously on the calling thread. Writes go to a group
// committer (sqlite/group_commit.h): its own thread and connection run the writes of all
// concurrent callers in one transaction, each in a savepoint, and one COMMIT makes them
// durable; the caller's coroutine waits without blocking its thread. Contention with other
// processes for SQLite's write lock is waited out by busy_timeout and a few short retries, and
// then answers kUnavailable.
//
// Competitions and feed pages recently read are kept in bounded caches (sqlite/competition_cache.h,
// sqlite/feed_cache.h) that the group committer invalidates after each COMMIT, before the writes
// are answered. A write job notes what it changed (GroupCommitter::NoteChanged): the ids of the
// competitions it wrote, CompetitionCache::kEverything, or FeedCache::kFeeds when it changes
// what a feed shows (events, follows, athletes) without changing a competition.
//
// Change log: a write's change record is a row of table `changes` inserted in the write's own
// savepoint, so it commits (or rolls back) with the change; ids are AUTOINCREMENT, never reused,
// and the single writer makes id order commit order.
//
// Durability: journal_mode=WAL with synchronous=FULL, so the WAL is synced at every commit: a
// write that returned OK survives the process being killed and the machine losing power. Each
// method's changes happen whole or not at all.
//
// Errors: SQLite result codes are translated once, in sqlite/connection.cc; their messages and
// the SQL are logged through the Logger and never returned.
#pragma once

#include <memory>
#include <string>

#include "domain/clock.h"
#include "log/logger.h"
#include "storage/change_encoder.h"
#include "storage/store.h"

namespace tt {

namespace sqlite {
class CompetitionCache;
class Connection;
class FeedCache;
class ConnectionPool;
class GroupCommitter;
}  // namespace sqlite

struct SqliteStoreOptions {
  // The database file; created with its parent directories when missing.
  std::string path;
  // Connections in the pool; 0 picks one per hardware thread plus one.
  int pool_size = 0;
  // Byte budget of the cache of recently read competitions (sqlite/competition_cache.h); 0
  // turns it off.
  size_t competition_cache_bytes = 32 << 20;
  // Byte budget of the cache of recently read feed pages (sqlite/feed_cache.h); 0 turns it off.
  size_t feed_cache_bytes = 32 << 20;
  // Byte budget of SQLite's page caches, shared evenly by the pool's connections and the
  // writer's; 0 keeps SQLite's default (2 MiB a connection). The default holds the pages a feed
  // of a few hundred follows reads, which missed the default cache (docs/BENCHMARKS.md).
  size_t page_cache_bytes = size_t{128} << 20;
  // Writes the change log's data. Required.
  std::shared_ptr<const ChangeEncoder> change_encoder;
  // The time change records carry; nullptr: the system clock. Must outlive the store.
  const Clock* clock = nullptr;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database and applies pending schema migrations. kUnavailable when the
  // file cannot be opened or created (a missing or unwritable directory, a read-only file);
  // kInternal when it is not a SQLite database or was written by a newer build. The message
  // names the path and the cause, for the operator.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options,
                                                   Logger& logger);
  ~SqliteStore() override;

  // The schema version of the file, after migrations.
  int schema_version() const { return schema_version_; }

  std::vector<StoreCounter> Counters() const override;
  // The generations of the competition and feed caches, which the group committer advances
  // after each COMMIT of a write that noted a change, before answering it.
  std::optional<uint64_t> ReadGeneration(ReadScope scope) const override;
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
  SqliteStore(std::unique_ptr<sqlite::ConnectionPool> pool,
              std::unique_ptr<sqlite::GroupCommitter> writer, int schema_version,
              const SqliteStoreOptions& options, uint64_t page_cache_budget_bytes);

  // Runs `statement` (a DELETE binding ?1 to `before` in microseconds and ?2 to a row limit) as
  // write jobs of a batch each until one deletes less than a batch, so that a large retention
  // pass never holds the writer (and every write queued behind it) long; answers the rows deleted.
  Async<Result<int64_t>> DeleteInBatches(const char* statement, Timestamp before);

  // Inside a write job (sqlite_store_changes.cc): appends the record of the job's change.
  Status AppendChange(sqlite::Connection& connection, ChangeType type, std::string_view data);

  std::unique_ptr<sqlite::ConnectionPool> pool_;  // reads
  // Before the writer, whose committer thread invalidates them until the writer is destroyed.
  std::unique_ptr<sqlite::CompetitionCache> competitions_;
  std::unique_ptr<sqlite::FeedCache> feeds_;
  std::unique_ptr<sqlite::GroupCommitter> writer_;  // writes, with its own connection
  int schema_version_;
  uint64_t page_cache_budget_bytes_;
  std::shared_ptr<const ChangeEncoder> change_encoder_;
  const Clock& clock_;
};

}  // namespace tt
