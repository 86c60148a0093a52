// FaultyStore: a Store that passes every call to another one, except those a test told it to
// fail (after LevelDB's EnvWrapper), so that tests can reach the error paths of the layers above
// storage without breaking a real backend.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "storage/store.h"

namespace tt::testing {

class FaultyStore final : public Store {
 public:
  explicit FaultyStore(Store& inner) : inner_(inner) {}

  // From now on, calls of `method` (e.g. "GetUser") answer `error` instead of reaching the
  // inner store: after letting `skip` calls through, the next `times` calls (every call when
  // `times` < 0).
  void Fail(const std::string& method, Error error, int times = -1, int skip = 0) {
    std::lock_guard lock(mutex_);
    faults_[method] = InjectedFault{std::move(error), times, skip};
  }
  // The next `times` calls of `method` throw std::runtime_error instead (a bug or bad_alloc
  // below: what callers must survive without an Error to read).
  void Throw(const std::string& method, int times = 1) {
    std::lock_guard lock(mutex_);
    throws_[method] = times;
  }
  void Heal() {
    std::lock_guard lock(mutex_);
    faults_.clear();
    throws_.clear();
  }

  std::vector<StoreCounter> Counters() const override { return inner_.Counters(); }
  // From now on ReadGeneration answers nullopt, as a store shared with other processes does.
  void HideReadGenerations() { hide_read_generations_ = true; }
  std::optional<uint64_t> ReadGeneration(ReadScope scope) const override {
    if (hide_read_generations_) return std::nullopt;
    return inner_.ReadGeneration(scope);
  }

  Async<Status> Ping() override {
    if (std::optional<Error> fault = Fault("Ping")) co_return *fault;
    co_return co_await inner_.Ping();
  }
  Async<Status> CreateUser(const User& user, const std::string& password_hash) override {
    if (std::optional<Error> fault = Fault("CreateUser")) co_return *fault;
    co_return co_await inner_.CreateUser(user, password_hash);
  }
  Async<Result<User>> GetUser(std::string_view id) override {
    if (std::optional<Error> fault = Fault("GetUser")) co_return *fault;
    co_return co_await inner_.GetUser(id);
  }
  Async<Result<UserCredentials>> FindUserByUsername(std::string_view username) override {
    if (std::optional<Error> fault = Fault("FindUserByUsername")) co_return *fault;
    co_return co_await inner_.FindUserByUsername(username);
  }
  Async<Status> UpdateUser(const User& user, int64_t expected_version,
                           const std::optional<std::string>& new_password_hash,
                           std::string_view keep_session_hash) override {
    if (std::optional<Error> fault = Fault("UpdateUser")) co_return *fault;
    co_return co_await inner_.UpdateUser(user, expected_version, new_password_hash,
                                         keep_session_hash);
  }
  Async<Status> DeleteUser(std::string_view id, std::optional<int64_t> expected_version) override {
    if (std::optional<Error> fault = Fault("DeleteUser")) co_return *fault;
    co_return co_await inner_.DeleteUser(id, expected_version);
  }
  Async<Status> CreateSession(const Session& session) override {
    if (std::optional<Error> fault = Fault("CreateSession")) co_return *fault;
    co_return co_await inner_.CreateSession(session);
  }
  Async<Result<std::pair<Session, User>>> FindSession(std::string_view token_hash) override {
    if (std::optional<Error> fault = Fault("FindSession")) co_return *fault;
    co_return co_await inner_.FindSession(token_hash);
  }
  Async<Status> DeleteSession(std::string_view token_hash) override {
    if (std::optional<Error> fault = Fault("DeleteSession")) co_return *fault;
    co_return co_await inner_.DeleteSession(token_hash);
  }
  Async<Status> RecordSignInFailure(std::string_view username_key, Timestamp at) override {
    if (std::optional<Error> fault = Fault("RecordSignInFailure")) co_return *fault;
    co_return co_await inner_.RecordSignInFailure(username_key, at);
  }
  Async<Result<std::vector<Timestamp>>> SignInFailuresSince(std::string_view username_key,
                                                            Timestamp since) override {
    if (std::optional<Error> fault = Fault("SignInFailuresSince")) co_return *fault;
    co_return co_await inner_.SignInFailuresSince(username_key, since);
  }
  Async<Status> ClearSignInFailures(std::string_view username_key) override {
    if (std::optional<Error> fault = Fault("ClearSignInFailures")) co_return *fault;
    co_return co_await inner_.ClearSignInFailures(username_key);
  }
  Async<Status> SetCalendarToken(std::string_view user_id, std::string_view token_hash,
                                 Timestamp at) override {
    if (std::optional<Error> fault = Fault("SetCalendarToken")) co_return *fault;
    co_return co_await inner_.SetCalendarToken(user_id, token_hash, at);
  }
  Async<Status> DeleteCalendarToken(std::string_view user_id) override {
    if (std::optional<Error> fault = Fault("DeleteCalendarToken")) co_return *fault;
    co_return co_await inner_.DeleteCalendarToken(user_id);
  }
  Async<Result<User>> FindCalendarTokenUser(std::string_view token_hash) override {
    if (std::optional<Error> fault = Fault("FindCalendarTokenUser")) co_return *fault;
    co_return co_await inner_.FindCalendarTokenUser(token_hash);
  }
  Async<Status> CreateCompetition(const Competition& competition) override {
    if (std::optional<Error> fault = Fault("CreateCompetition")) co_return *fault;
    co_return co_await inner_.CreateCompetition(competition);
  }
  Async<Result<Competition>> GetCompetition(std::string_view id) override {
    if (std::optional<Error> fault = Fault("GetCompetition")) co_return *fault;
    co_return co_await inner_.GetCompetition(id);
  }
  Async<Result<std::vector<Competition>>> GetCompetitions(
      std::span<const std::string> ids) override {
    if (std::optional<Error> fault = Fault("GetCompetitions")) co_return *fault;
    co_return co_await inner_.GetCompetitions(ids);
  }
  Async<Status> UpdateCompetition(const Competition& competition,
                                  int64_t expected_version) override {
    if (std::optional<Error> fault = Fault("UpdateCompetition")) co_return *fault;
    co_return co_await inner_.UpdateCompetition(competition, expected_version);
  }
  Async<Status> DeleteCompetition(std::string_view id,
                                  std::optional<int64_t> expected_version) override {
    if (std::optional<Error> fault = Fault("DeleteCompetition")) co_return *fault;
    co_return co_await inner_.DeleteCompetition(id, expected_version);
  }
  Async<Result<Page<Competition>>> ListCompetitions(const CompetitionQuery& query) override {
    if (std::optional<Error> fault = Fault("ListCompetitions")) co_return *fault;
    co_return co_await inner_.ListCompetitions(query);
  }
  Async<Status> CreateAthlete(const Athlete& athlete) override {
    if (std::optional<Error> fault = Fault("CreateAthlete")) co_return *fault;
    co_return co_await inner_.CreateAthlete(athlete);
  }
  Async<Result<Athlete>> GetAthlete(std::string_view id) override {
    if (std::optional<Error> fault = Fault("GetAthlete")) co_return *fault;
    co_return co_await inner_.GetAthlete(id);
  }
  Async<Status> UpdateAthlete(const Athlete& athlete, int64_t expected_version) override {
    if (std::optional<Error> fault = Fault("UpdateAthlete")) co_return *fault;
    co_return co_await inner_.UpdateAthlete(athlete, expected_version);
  }
  Async<Status> DeleteAthlete(std::string_view id,
                              std::optional<int64_t> expected_version) override {
    if (std::optional<Error> fault = Fault("DeleteAthlete")) co_return *fault;
    co_return co_await inner_.DeleteAthlete(id, expected_version);
  }
  Async<Result<Page<Athlete>>> ListAthletes(const AthleteQuery& query) override {
    if (std::optional<Error> fault = Fault("ListAthletes")) co_return *fault;
    co_return co_await inner_.ListAthletes(query);
  }
  Async<Status> Follow(std::string_view user_id, std::string_view athlete_id,
                       Timestamp at) override {
    if (std::optional<Error> fault = Fault("Follow")) co_return *fault;
    co_return co_await inner_.Follow(user_id, athlete_id, at);
  }
  Async<Status> Unfollow(std::string_view user_id, std::string_view athlete_id) override {
    if (std::optional<Error> fault = Fault("Unfollow")) co_return *fault;
    co_return co_await inner_.Unfollow(user_id, athlete_id);
  }
  Async<Result<Page<FollowedAthlete>>> ListFollowing(const FollowingQuery& query) override {
    if (std::optional<Error> fault = Fault("ListFollowing")) co_return *fault;
    co_return co_await inner_.ListFollowing(query);
  }
  Async<Result<Page<Follower>>> ListFollowers(const FollowersQuery& query) override {
    if (std::optional<Error> fault = Fault("ListFollowers")) co_return *fault;
    co_return co_await inner_.ListFollowers(query);
  }
  Async<Status> CreateEvent(const Event& event) override {
    if (std::optional<Error> fault = Fault("CreateEvent")) co_return *fault;
    co_return co_await inner_.CreateEvent(event);
  }
  Async<Result<Event>> GetEvent(std::string_view id) override {
    if (std::optional<Error> fault = Fault("GetEvent")) co_return *fault;
    co_return co_await inner_.GetEvent(id);
  }
  Async<Status> UpdateEvent(const Event& event, int64_t expected_version) override {
    if (std::optional<Error> fault = Fault("UpdateEvent")) co_return *fault;
    co_return co_await inner_.UpdateEvent(event, expected_version);
  }
  Async<Status> DeleteEvent(std::string_view id, std::optional<int64_t> expected_version) override {
    if (std::optional<Error> fault = Fault("DeleteEvent")) co_return *fault;
    co_return co_await inner_.DeleteEvent(id, expected_version);
  }
  Async<Result<Page<Event>>> ListEvents(const EventQuery& query) override {
    if (std::optional<Error> fault = Fault("ListEvents")) co_return *fault;
    co_return co_await inner_.ListEvents(query);
  }
  Async<Result<Page<StartListEntry>>> ListCompetitionEvents(const StartListQuery& query) override {
    if (std::optional<Error> fault = Fault("ListCompetitionEvents")) co_return *fault;
    co_return co_await inner_.ListCompetitionEvents(query);
  }
  Async<Result<Page<FeedEntry>>> Feed(const FeedQuery& query) override {
    if (std::optional<Error> fault = Fault("Feed")) co_return *fault;
    co_return co_await inner_.Feed(query);
  }
  Async<Result<Page<Change>>> ListChanges(const ChangeQuery& query) override {
    if (std::optional<Error> fault = Fault("ListChanges")) co_return *fault;
    co_return co_await inner_.ListChanges(query);
  }
  Async<Result<int64_t>> DeleteChangesBefore(Timestamp before) override {
    if (std::optional<Error> fault = Fault("DeleteChangesBefore")) co_return *fault;
    co_return co_await inner_.DeleteChangesBefore(before);
  }
  Async<Status> CreateWebhookEndpoint(const WebhookEndpoint& endpoint,
                                      const WebhookSecrets& secrets) override {
    if (std::optional<Error> fault = Fault("CreateWebhookEndpoint")) co_return *fault;
    co_return co_await inner_.CreateWebhookEndpoint(endpoint, secrets);
  }
  Async<Result<std::pair<WebhookEndpoint, WebhookSecrets>>> GetWebhookEndpoint(
      std::string_view id) override {
    if (std::optional<Error> fault = Fault("GetWebhookEndpoint")) co_return *fault;
    co_return co_await inner_.GetWebhookEndpoint(id);
  }
  Async<Result<Page<WebhookEndpoint>>> ListWebhookEndpoints(
      const WebhookEndpointQuery& query) override {
    if (std::optional<Error> fault = Fault("ListWebhookEndpoints")) co_return *fault;
    co_return co_await inner_.ListWebhookEndpoints(query);
  }
  Async<Status> UpdateWebhookEndpoint(const WebhookEndpoint& endpoint, int64_t expected_version,
                                      const std::optional<WebhookSecrets>& secrets) override {
    if (std::optional<Error> fault = Fault("UpdateWebhookEndpoint")) co_return *fault;
    co_return co_await inner_.UpdateWebhookEndpoint(endpoint, expected_version, secrets);
  }
  Async<Status> DeleteWebhookEndpoint(std::string_view id,
                                      std::optional<int64_t> expected_version) override {
    if (std::optional<Error> fault = Fault("DeleteWebhookEndpoint")) co_return *fault;
    co_return co_await inner_.DeleteWebhookEndpoint(id, expected_version);
  }
  Async<Result<int64_t>> LeaseFanOut(const Lease& lease, Timestamp now) override {
    if (std::optional<Error> fault = Fault("LeaseFanOut")) co_return *fault;
    co_return co_await inner_.LeaseFanOut(lease, now);
  }
  Async<Status> FanOut(const Lease& lease, int64_t from, int64_t to,
                       const std::vector<WebhookDelivery>& deliveries) override {
    if (std::optional<Error> fault = Fault("FanOut")) co_return *fault;
    co_return co_await inner_.FanOut(lease, from, to, deliveries);
  }
  Async<Result<std::vector<WebhookDelivery>>> ClaimDueDeliveries(
      const DeliveryClaim& claim) override {
    if (std::optional<Error> fault = Fault("ClaimDueDeliveries")) co_return *fault;
    co_return co_await inner_.ClaimDueDeliveries(claim);
  }
  Async<Status> RecordDeliveryAttempt(const WebhookDelivery& delivery, const Lease& lease,
                                      bool disable_endpoint) override {
    if (std::optional<Error> fault = Fault("RecordDeliveryAttempt")) co_return *fault;
    co_return co_await inner_.RecordDeliveryAttempt(delivery, lease, disable_endpoint);
  }
  Async<Result<WebhookDelivery>> GetWebhookDelivery(std::string_view endpoint_id,
                                                    int64_t change_id) override {
    if (std::optional<Error> fault = Fault("GetWebhookDelivery")) co_return *fault;
    co_return co_await inner_.GetWebhookDelivery(endpoint_id, change_id);
  }
  Async<Result<Page<WebhookDelivery>>> ListWebhookDeliveries(
      const WebhookDeliveryQuery& query) override {
    if (std::optional<Error> fault = Fault("ListWebhookDeliveries")) co_return *fault;
    co_return co_await inner_.ListWebhookDeliveries(query);
  }
  Async<Status> RedeliverWebhookDelivery(std::string_view endpoint_id, int64_t change_id,
                                         Timestamp now) override {
    if (std::optional<Error> fault = Fault("RedeliverWebhookDelivery")) co_return *fault;
    co_return co_await inner_.RedeliverWebhookDelivery(endpoint_id, change_id, now);
  }
  Async<Result<int64_t>> DeleteFinishedDeliveriesBefore(Timestamp before) override {
    if (std::optional<Error> fault = Fault("DeleteFinishedDeliveriesBefore")) co_return *fault;
    co_return co_await inner_.DeleteFinishedDeliveriesBefore(before);
  }
  Async<Result<DeliveryBacklog>> GetDeliveryBacklog() override {
    if (std::optional<Error> fault = Fault("GetDeliveryBacklog")) co_return *fault;
    co_return co_await inner_.GetDeliveryBacklog();
  }

 private:
  std::optional<Error> Fault(const std::string& method) {
    std::lock_guard lock(mutex_);
    if (auto thrown = throws_.find(method); thrown != throws_.end() && thrown->second > 0) {
      --thrown->second;
      throw std::runtime_error("injected exception in " + method);
    }
    auto it = faults_.find(method);
    if (it == faults_.end()) return std::nullopt;
    InjectedFault& fault = it->second;
    if (fault.skip > 0) {
      --fault.skip;
      return std::nullopt;
    }
    if (fault.times == 0) return std::nullopt;
    if (fault.times > 0) --fault.times;
    return fault.error;
  }

  struct InjectedFault {
    Error error;
    int times = -1;
    int skip = 0;
  };
  Store& inner_;
  std::mutex mutex_;
  std::map<std::string, InjectedFault> faults_;
  std::map<std::string, int> throws_;
  std::atomic<bool> hide_read_generations_{false};
};

}  // namespace tt::testing
