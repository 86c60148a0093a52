// The Store contract (storage/store.h), as one typed suite that runs against every backend
// (see store_factories.h), so that the backends cannot drift apart. The change log's part is in
// store_changes_test.cc.
#include "storage/store.h"

#include "storage/store_test_fixture.h"

namespace tt {
namespace {

TYPED_TEST_SUITE(StoreTest, ::tt::testing::StoreBackends, BackendName);

// ---- Ping and durability -------------------------------------------------------------------

TYPED_TEST(StoreTest, PingSucceedsOnAnOpenStore) { EXPECT_OK(RunSync(this->store().Ping())); }

TYPED_TEST(StoreTest, DataSurvivesReopeningTheStore) {
  const User user = this->AddUser("alice");
  const Competition competition = this->AddCompetition("Prefontaine", "2026-07-04", "2026-07-05");
  this->Reopen();

  Result<User> read_user = RunSync(this->store().GetUser(user.id));
  ASSERT_OK(read_user);
  EXPECT_EQ(read_user->username, "alice");
  Result<Competition> read_competition = RunSync(this->store().GetCompetition(competition.id));
  ASSERT_OK(read_competition);
  EXPECT_EQ(read_competition->name, "Prefontaine");
}

// ---- Users ----------------------------------------------------------------------------------

TYPED_TEST(StoreTest, CreatedUserReadsBackByIdAndByUsernameInAnyCase) {
  User user = this->MakeUser("Alice.Runner");
  user.is_admin = true;
  user.created_at = At(10);
  user.updated_at = At(11);
  ASSERT_OK(RunSync(this->store().CreateUser(user, "argon2id$hash")));

  Result<User> by_id = RunSync(this->store().GetUser(user.id));
  ASSERT_OK(by_id);
  EXPECT_EQ(by_id->id, user.id);
  EXPECT_EQ(by_id->username, "Alice.Runner");
  EXPECT_EQ(by_id->display_name, user.display_name);
  EXPECT_EQ(by_id->email, user.email);
  EXPECT_TRUE(by_id->is_admin);
  EXPECT_FALSE(by_id->is_athlete);
  EXPECT_EQ(by_id->created_at, At(10));
  EXPECT_EQ(by_id->updated_at, At(11));
  EXPECT_EQ(by_id->version, 1);

  Result<UserCredentials> by_name = RunSync(this->store().FindUserByUsername("alice.RUNNER"));
  ASSERT_OK(by_name);
  EXPECT_EQ(by_name->user.id, user.id);
  EXPECT_EQ(by_name->password_hash, "argon2id$hash");
}

TYPED_TEST(StoreTest, UserWithoutEmailReadsBackWithoutEmail) {
  User user = this->MakeUser("bob");
  user.email = std::nullopt;
  ASSERT_OK(RunSync(this->store().CreateUser(user, "hash")));
  Result<User> read = RunSync(this->store().GetUser(user.id));
  ASSERT_OK(read);
  EXPECT_EQ(read->email, std::nullopt);
}

TYPED_TEST(StoreTest, CreateUserWithTakenUsernameInAnyCaseConflicts) {
  this->AddUser("alice");
  EXPECT_EQ(CodeOf(RunSync(this->store().CreateUser(this->MakeUser("alice"), "h"))), "conflict");
  EXPECT_EQ(CodeOf(RunSync(this->store().CreateUser(this->MakeUser("ALICE"), "h"))), "conflict");
  EXPECT_EQ(CodeOf(RunSync(this->store().CreateUser(this->MakeUser("aLiCe"), "h"))), "conflict");
  Result<UserCredentials> found = RunSync(this->store().FindUserByUsername("alice"));
  ASSERT_OK(found);
  EXPECT_EQ(found->user.username, "alice");
}

TYPED_TEST(StoreTest, UnknownUserIsNotFoundByIdOrUsername) {
  EXPECT_EQ(CodeOf(RunSync(this->store().GetUser(this->NewId()))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().FindUserByUsername("nobody"))), "not_found");
}

TYPED_TEST(StoreTest, UpdateUserWritesProfileFieldsAndVersion) {
  User user = this->AddUser("alice");
  user.display_name = "Alice A.";
  user.email = std::nullopt;
  user.is_admin = true;
  user.updated_at = At(50);
  user.version = 2;
  ASSERT_OK(RunSync(this->store().UpdateUser(user, 1, std::nullopt, "")));

  Result<UserCredentials> read = RunSync(this->store().FindUserByUsername("alice"));
  ASSERT_OK(read);
  EXPECT_EQ(read->user.display_name, "Alice A.");
  EXPECT_EQ(read->user.email, std::nullopt);
  EXPECT_TRUE(read->user.is_admin);
  EXPECT_EQ(read->user.updated_at, At(50));
  EXPECT_EQ(read->user.created_at, At(0));
  EXPECT_EQ(read->user.version, 2);
  EXPECT_EQ(read->password_hash, "hash-of-alice");
}

TYPED_TEST(StoreTest, PatchWithStaleVersionFailsAndChangesNothing) {
  User user = this->AddUser("alice");
  const Session session = this->AddSession(user, "token-1");
  User changed = user;
  changed.display_name = "Changed";
  changed.version = 2;
  ASSERT_OK(RunSync(this->store().UpdateUser(changed, 1, std::nullopt, "")));

  User stale = user;
  stale.display_name = "Stale";
  stale.version = 2;
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateUser(stale, 1, std::string("new-hash"), ""))),
            "precondition_failed");

  Result<UserCredentials> read = RunSync(this->store().FindUserByUsername("alice"));
  ASSERT_OK(read);
  EXPECT_EQ(read->user.display_name, "Changed");
  EXPECT_EQ(read->user.version, 2);
  EXPECT_EQ(read->password_hash, "hash-of-alice");
  EXPECT_OK(RunSync(this->store().FindSession(session.token_hash)));
}

TYPED_TEST(StoreTest, UpdateUnknownUserIsNotFound) {
  User ghost = this->MakeUser("ghost");
  ghost.version = 2;
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateUser(ghost, 1, std::nullopt, ""))), "not_found");
}

TYPED_TEST(StoreTest, PasswordChangeReplacesHashAndEndsEveryOtherSession) {
  User user = this->AddUser("alice");
  const User other = this->AddUser("bob");
  this->AddSession(user, "keep");
  this->AddSession(user, "drop-1");
  this->AddSession(user, "drop-2");
  this->AddSession(other, "bobs");
  user.version = 2;
  ASSERT_OK(RunSync(this->store().UpdateUser(user, 1, std::string("new-hash"), "keep")));

  Result<UserCredentials> read = RunSync(this->store().FindUserByUsername("alice"));
  ASSERT_OK(read);
  EXPECT_EQ(read->password_hash, "new-hash");
  EXPECT_OK(RunSync(this->store().FindSession("keep")));
  EXPECT_EQ(CodeOf(RunSync(this->store().FindSession("drop-1"))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().FindSession("drop-2"))), "not_found");
  EXPECT_OK(RunSync(this->store().FindSession("bobs")));
}

TYPED_TEST(StoreTest, IsAthleteIsDerivedFromTheAthleteProfile) {
  const User user = this->AddUser("alice");
  ASSERT_OK(RunSync(this->store().CreateAthlete(this->MakeAthlete(user, "Alice", "Runner"))));
  Result<User> read = RunSync(this->store().GetUser(user.id));
  ASSERT_OK(read);
  EXPECT_TRUE(read->is_athlete);

  ASSERT_OK(RunSync(this->store().DeleteAthlete(user.id, std::nullopt)));
  read = RunSync(this->store().GetUser(user.id));
  ASSERT_OK(read);
  EXPECT_FALSE(read->is_athlete);
}

TYPED_TEST(StoreTest, DeleteUserRemovesSessionsAthleteEventsAndFollowsBothWays) {
  const Athlete doomed = this->AddAthlete("Doomed", "Athlete");
  const Athlete other = this->AddAthlete("Other", "Athlete");
  const User fan = this->AddUser("fan");
  const Competition competition = this->AddCompetition("Worlds", "2026-08-01", "2026-08-09");
  const Event event = this->AddEvent(doomed, competition, "2026-08-02T10:00:00Z");
  const Event others_event = this->AddEvent(other, competition, "2026-08-02T11:00:00Z");
  this->AddSession(User{.id = doomed.id}, "doomed-session");
  ASSERT_OK(RunSync(this->store().Follow(fan.id, doomed.id, At(1))));    // followed by a fan
  ASSERT_OK(RunSync(this->store().Follow(doomed.id, other.id, At(2))));  // follows another
  // A competition the doomed user created stays, without its creator.
  Competition created = this->MakeCompetition("Own meet", "2026-09-01", "2026-09-01");
  created.created_by = doomed.id;
  ASSERT_OK(RunSync(this->store().CreateCompetition(created)));

  ASSERT_OK(RunSync(this->store().DeleteUser(doomed.id, 1)));

  EXPECT_EQ(CodeOf(RunSync(this->store().GetUser(doomed.id))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().FindSession("doomed-session"))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().GetAthlete(doomed.id))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().GetEvent(event.id))), "not_found");
  EXPECT_OK(RunSync(this->store().GetEvent(others_event.id)));
  Result<Page<FollowedAthlete>> fans_follows =
      RunSync(this->store().ListFollowing(FollowingQuery{.user_id = fan.id}));
  ASSERT_OK(fans_follows);
  EXPECT_TRUE(fans_follows->items.empty());
  Result<Athlete> read_other = RunSync(this->store().GetAthlete(other.id));
  ASSERT_OK(read_other);
  EXPECT_EQ(read_other->follower_count, 0);
  Result<Competition> read_created = RunSync(this->store().GetCompetition(created.id));
  ASSERT_OK(read_created);
  EXPECT_EQ(read_created->created_by, std::nullopt);
  // The username is free again.
  EXPECT_OK(RunSync(this->store().CreateUser(this->MakeUser(doomed.username), "h")));
}

TYPED_TEST(StoreTest, DeleteUserWithStaleVersionFailsAndKeepsTheUser) {
  const User user = this->AddUser("alice");
  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteUser(user.id, 7))), "precondition_failed");
  EXPECT_OK(RunSync(this->store().GetUser(user.id)));
  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteUser(this->NewId(), std::nullopt))), "not_found");
  EXPECT_OK(RunSync(this->store().DeleteUser(user.id, std::nullopt)));
}

// ---- Sessions and sign-in throttling ------------------------------------------------------

TYPED_TEST(StoreTest, CreatedSessionIsFoundWithItsUser) {
  const User user = this->AddUser("alice");
  const Session session = this->AddSession(user, "abc123", At(7200));
  Result<std::pair<Session, User>> found = RunSync(this->store().FindSession("abc123"));
  ASSERT_OK(found);
  EXPECT_EQ(found->first.token_hash, "abc123");
  EXPECT_EQ(found->first.user_id, user.id);
  EXPECT_EQ(found->first.created_at, session.created_at);
  EXPECT_EQ(found->first.expires_at, At(7200));
  EXPECT_EQ(found->second.id, user.id);
  EXPECT_EQ(found->second.username, "alice");
}

TYPED_TEST(StoreTest, DeletedSessionIsGoneAndDeletingAgainIsNoError) {
  const User user = this->AddUser("alice");
  this->AddSession(user, "abc123");
  ASSERT_OK(RunSync(this->store().DeleteSession("abc123")));
  EXPECT_EQ(CodeOf(RunSync(this->store().FindSession("abc123"))), "not_found");
  EXPECT_OK(RunSync(this->store().DeleteSession("abc123")));
}

TYPED_TEST(StoreTest, SessionForUnknownUserIsNotFound) {
  const Session session{"abc", this->NewId(), At(0), At(10)};
  EXPECT_EQ(CodeOf(RunSync(this->store().CreateSession(session))), "not_found");
}

// ---- Calendar feed tokens ----------------------------------------------------------------------

TYPED_TEST(StoreTest, CalendarTokenFindsItsUserUntilRotatedOrRevoked) {
  const User alice = this->AddUser("alice");
  const User bob = this->AddUser("bob");
  EXPECT_EQ(CodeOf(RunSync(this->store().FindCalendarTokenUser("first"))), "not_found");
  ASSERT_OK(RunSync(this->store().SetCalendarToken(alice.id, "first", At(10))));
  ASSERT_OK(RunSync(this->store().SetCalendarToken(bob.id, "bobs", At(10))));
  Result<User> found = RunSync(this->store().FindCalendarTokenUser("first"));
  ASSERT_OK(found);
  EXPECT_EQ(found->id, alice.id);
  EXPECT_EQ(found->username, "alice");

  // Rotation: the new token works, the old one at once no longer does.
  ASSERT_OK(RunSync(this->store().SetCalendarToken(alice.id, "second", At(20))));
  EXPECT_EQ(CodeOf(RunSync(this->store().FindCalendarTokenUser("first"))), "not_found");
  ASSERT_OK(RunSync(this->store().FindCalendarTokenUser("second")));
  // Setting the same token again is harmless; another user's is a conflict.
  ASSERT_OK(RunSync(this->store().SetCalendarToken(alice.id, "second", At(30))));
  ASSERT_OK(RunSync(this->store().FindCalendarTokenUser("second")));
  EXPECT_EQ(CodeOf(RunSync(this->store().SetCalendarToken(alice.id, "bobs", At(40)))), "conflict");
  EXPECT_EQ(RunSync(this->store().FindCalendarTokenUser("bobs"))->id, bob.id);
  EXPECT_EQ(RunSync(this->store().FindCalendarTokenUser("second"))->id, alice.id);

  // Revocation, twice (the second is no error), leaves other users' tokens alone.
  ASSERT_OK(RunSync(this->store().DeleteCalendarToken(alice.id)));
  ASSERT_OK(RunSync(this->store().DeleteCalendarToken(alice.id)));
  EXPECT_EQ(CodeOf(RunSync(this->store().FindCalendarTokenUser("second"))), "not_found");
  Result<User> other = RunSync(this->store().FindCalendarTokenUser("bobs"));
  ASSERT_OK(other);
  EXPECT_EQ(other->id, bob.id);
}

TYPED_TEST(StoreTest, CalendarTokenOfAnUnknownOrDeletedUserIsNotFound) {
  EXPECT_EQ(CodeOf(RunSync(this->store().SetCalendarToken(this->NewId(), "t", At(1)))),
            "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteCalendarToken(this->NewId()))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().FindCalendarTokenUser("t"))), "not_found");

  const User alice = this->AddUser("alice");
  ASSERT_OK(RunSync(this->store().SetCalendarToken(alice.id, "t", At(1))));
  ASSERT_OK(RunSync(this->store().DeleteUser(alice.id, std::nullopt)));
  EXPECT_EQ(CodeOf(RunSync(this->store().FindCalendarTokenUser("t"))), "not_found");
  // A new user with the same username starts without a token.
  const User again = this->AddUser("alice");
  EXPECT_EQ(CodeOf(RunSync(this->store().FindCalendarTokenUser("t"))), "not_found");
  ASSERT_OK(RunSync(this->store().SetCalendarToken(again.id, "t2", At(2))));
  ASSERT_OK(RunSync(this->store().FindCalendarTokenUser("t2")));
}

TYPED_TEST(StoreTest, SignInFailuresAreKeptPerKeyAndListedOldestFirstSinceATime) {
  ASSERT_OK(RunSync(this->store().RecordSignInFailure("alice", At(30))));
  ASSERT_OK(RunSync(this->store().RecordSignInFailure("alice", At(10))));
  ASSERT_OK(RunSync(this->store().RecordSignInFailure("alice", At(20))));
  ASSERT_OK(RunSync(this->store().RecordSignInFailure("bob", At(25))));

  Result<std::vector<Timestamp>> since =
      RunSync(this->store().SignInFailuresSince("alice", At(20)));
  ASSERT_OK(since);
  EXPECT_EQ(*since, (std::vector<Timestamp>{At(20), At(30)}));
  Result<std::vector<Timestamp>> none = RunSync(this->store().SignInFailuresSince("carol", At(0)));
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(StoreTest, ClearSignInFailuresForgetsOnlyThatKey) {
  ASSERT_OK(RunSync(this->store().RecordSignInFailure("alice", At(1))));
  ASSERT_OK(RunSync(this->store().RecordSignInFailure("bob", At(1))));
  ASSERT_OK(RunSync(this->store().ClearSignInFailures("alice")));
  EXPECT_TRUE(RunSync(this->store().SignInFailuresSince("alice", At(0)))->empty());
  EXPECT_EQ(RunSync(this->store().SignInFailuresSince("bob", At(0)))->size(), 1U);
}

// ---- Competitions ---------------------------------------------------------------------------

TYPED_TEST(StoreTest, CreatedCompetitionReadsBackWithEveryField) {
  const User creator = this->AddUser("alice");
  Competition competition =
      this->MakeCompetition("Prefontaine Classic", "2026-07-04", "2026-07-05", "Eugene, OR");
  competition.description = "Diamond League";
  competition.url = "https://example.com/pre";
  competition.created_by = creator.id;
  ASSERT_OK(RunSync(this->store().CreateCompetition(competition)));

  Result<Competition> read = RunSync(this->store().GetCompetition(competition.id));
  ASSERT_OK(read);
  EXPECT_EQ(read->name, "Prefontaine Classic");
  EXPECT_EQ(read->location, "Eugene, OR");
  EXPECT_EQ(read->start_date, D("2026-07-04"));
  EXPECT_EQ(read->end_date, D("2026-07-05"));
  EXPECT_EQ(read->description, "Diamond League");
  EXPECT_EQ(read->url, "https://example.com/pre");
  EXPECT_EQ(read->created_by, creator.id);
  EXPECT_EQ(read->created_at, competition.created_at);
  EXPECT_EQ(read->version, 1);
  EXPECT_EQ(CodeOf(RunSync(this->store().GetCompetition(this->NewId()))), "not_found");
}

TYPED_TEST(StoreTest, GetCompetitionsReturnsThoseThatExistEachOnce) {
  const Competition a = this->AddCompetition("A", "2026-01-01", "2026-01-01");
  const Competition b = this->AddCompetition("B", "2026-01-02", "2026-01-02");
  this->AddCompetition("C", "2026-01-03", "2026-01-03");
  const std::vector<std::string> ids = {b.id, this->NewId(), a.id, b.id};
  Result<std::vector<Competition>> found = RunSync(this->store().GetCompetitions(ids));
  ASSERT_OK(found);
  Ids found_ids = IdsOf(*found);
  std::sort(found_ids.begin(), found_ids.end());
  EXPECT_EQ(found_ids, (Ids{a.id, b.id}));

  Result<std::vector<Competition>> none =
      RunSync(this->store().GetCompetitions(std::span<const std::string>()));
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TYPED_TEST(StoreTest, UpdateCompetitionReplacesFieldsAndKeepsCreator) {
  const User creator = this->AddUser("alice");
  Competition competition = this->MakeCompetition("Old", "2026-05-01", "2026-05-02");
  competition.created_by = creator.id;
  competition.description = "old";
  ASSERT_OK(RunSync(this->store().CreateCompetition(competition)));

  Competition changed = competition;
  changed.name = "New";
  changed.location = "Oslo";
  changed.start_date = D("2026-06-01");
  changed.end_date = D("2026-06-03");
  changed.description = std::nullopt;
  changed.url = "https://example.com";
  changed.updated_at = At(99);
  changed.version = 2;
  ASSERT_OK(RunSync(this->store().UpdateCompetition(changed, 1)));

  Result<Competition> read = RunSync(this->store().GetCompetition(competition.id));
  ASSERT_OK(read);
  EXPECT_EQ(read->name, "New");
  EXPECT_EQ(read->location, "Oslo");
  EXPECT_EQ(read->start_date, D("2026-06-01"));
  EXPECT_EQ(read->end_date, D("2026-06-03"));
  EXPECT_EQ(read->description, std::nullopt);
  EXPECT_EQ(read->url, "https://example.com");
  EXPECT_EQ(read->created_by, creator.id);
  EXPECT_EQ(read->created_at, competition.created_at);
  EXPECT_EQ(read->updated_at, At(99));
  EXPECT_EQ(read->version, 2);
}

TYPED_TEST(StoreTest, UpdateCompetitionWithStaleVersionFailsAndChangesNothing) {
  const Competition competition = this->AddCompetition("Meet", "2026-05-01", "2026-05-02");
  Competition changed = competition;
  changed.name = "Changed";
  changed.version = 2;
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateCompetition(changed, 5))), "precondition_failed");
  Result<Competition> read = RunSync(this->store().GetCompetition(competition.id));
  ASSERT_OK(read);
  EXPECT_EQ(read->name, "Meet");
  EXPECT_EQ(read->version, 1);

  changed.id = this->NewId();
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateCompetition(changed, 1))), "not_found");
}

TYPED_TEST(StoreTest, UpdateCompetitionConflictsWhenAnEventWouldFallOutsideTheNewDates) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Competition competition = this->AddCompetition("Meet", "2026-06-10", "2026-06-14");
  // Local day 06-12 in its own offset (06-13 in UTC).
  this->AddEvent(athlete, competition, "2026-06-12T20:00:00-07:00");

  Competition later = competition;
  later.start_date = D("2026-06-13");
  later.version = 2;
  Status moved_start = RunSync(this->store().UpdateCompetition(later, 1));
  EXPECT_EQ(CodeOf(moved_start), "conflict");
  if (!moved_start.ok()) {
    EXPECT_EQ(moved_start.error().message,
              "an event at this competition would fall outside the new dates");
  }
  Competition earlier = competition;
  earlier.end_date = D("2026-06-11");
  earlier.version = 2;
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateCompetition(earlier, 1))), "conflict");
  Result<Competition> read = RunSync(this->store().GetCompetition(competition.id));
  ASSERT_OK(read);
  EXPECT_EQ(read->start_date, D("2026-06-10"));
  EXPECT_EQ(read->version, 1);

  // Dates that still hold the event's local day are fine, even to the day.
  Competition tight = competition;
  tight.start_date = D("2026-06-12");
  tight.end_date = D("2026-06-12");
  tight.version = 2;
  EXPECT_OK(RunSync(this->store().UpdateCompetition(tight, 1)));
}

TYPED_TEST(StoreTest, DeleteCompetitionRemovesItsEventsOnly) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Competition doomed = this->AddCompetition("Doomed", "2026-06-10", "2026-06-14");
  const Competition other = this->AddCompetition("Other", "2026-06-10", "2026-06-14");
  const Event doomed_event = this->AddEvent(athlete, doomed, "2026-06-11T10:00:00Z");
  const Event other_event = this->AddEvent(athlete, other, "2026-06-11T12:00:00Z");

  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteCompetition(doomed.id, 2))), "precondition_failed");
  EXPECT_OK(RunSync(this->store().GetEvent(doomed_event.id)));
  ASSERT_OK(RunSync(this->store().DeleteCompetition(doomed.id, 1)));

  EXPECT_EQ(CodeOf(RunSync(this->store().GetCompetition(doomed.id))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().GetEvent(doomed_event.id))), "not_found");
  EXPECT_OK(RunSync(this->store().GetEvent(other_event.id)));
  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteCompetition(doomed.id, std::nullopt))), "not_found");
}

TYPED_TEST(StoreTest, ListCompetitionsPagesByStartDateThenIdWithoutLossOrRepeat) {
  // Created out of order, with shared start dates to exercise the id tie-break.
  const Competition c3 = this->AddCompetition("C3", "2026-03-01", "2026-03-01", "X",
                                              "00000000-0000-4000-8000-0000000000c3");
  const Competition c1 = this->AddCompetition("C1", "2026-01-01", "2026-01-05", "X",
                                              "00000000-0000-4000-8000-0000000000c1");
  const Competition c2b = this->AddCompetition("C2b", "2026-02-01", "2026-02-01", "X",
                                               "00000000-0000-4000-8000-0000000000c2b");
  const Competition c2a = this->AddCompetition("C2a", "2026-02-01", "2026-02-02", "X",
                                               "00000000-0000-4000-8000-0000000000c2a");
  const Competition c4 = this->AddCompetition("C4", "2026-04-01", "2026-04-01", "X",
                                              "00000000-0000-4000-8000-0000000000c4");
  const Ids expected = {c1.id, c2a.id, c2b.id, c3.id, c4.id};

  for (int limit : {1, 2, 3, 5, 6}) {
    EXPECT_EQ(IdsOf(this->AllCompetitionPages(CompetitionQuery{.limit = limit})), expected)
        << "limit " << limit;
  }
  Result<Page<Competition>> exact = RunSync(this->store().ListCompetitions({.limit = 5}));
  ASSERT_OK(exact);
  EXPECT_EQ(exact->items.size(), 5U);
  EXPECT_FALSE(exact->has_more);
}

TYPED_TEST(StoreTest, ListCompetitionsCursorIsStableWhenItemsAreAddedBeforeIt) {
  const Competition a = this->AddCompetition("A", "2026-01-01", "2026-01-01");
  const Competition b = this->AddCompetition("B", "2026-02-01", "2026-02-01");
  const Competition c = this->AddCompetition("C", "2026-03-01", "2026-03-01");
  Result<Page<Competition>> first = RunSync(this->store().ListCompetitions({.limit = 2}));
  ASSERT_OK(first);
  ASSERT_EQ(IdsOf(first->items), (Ids{a.id, b.id}));
  this->AddCompetition("Earlier", "2025-12-01", "2025-12-01");

  Result<Page<Competition>> second = RunSync(
      this->store().ListCompetitions({.after = CompetitionCursor{b.start_date, b.id}, .limit = 2}));
  ASSERT_OK(second);
  EXPECT_EQ(IdsOf(second->items), (Ids{c.id}));
  EXPECT_FALSE(second->has_more);
}

TYPED_TEST(StoreTest, ListCompetitionsOverlapFilterIncludesBothEdges) {
  const Competition june = this->AddCompetition("June", "2026-06-10", "2026-06-14");
  auto listed = [&](std::optional<std::string_view> from, std::optional<std::string_view> to) {
    CompetitionQuery query;
    if (from.has_value()) query.from = D(*from);
    if (to.has_value()) query.to = D(*to);
    return !this->AllCompetitionPages(query).empty();
  };
  EXPECT_TRUE(listed("2026-06-14", std::nullopt)) << "ends on `from`";
  EXPECT_FALSE(listed("2026-06-15", std::nullopt)) << "ended the day before `from`";
  EXPECT_TRUE(listed(std::nullopt, "2026-06-10")) << "starts on `to`";
  EXPECT_FALSE(listed(std::nullopt, "2026-06-09")) << "starts the day after `to`";
  EXPECT_TRUE(listed("2026-06-11", "2026-06-12")) << "window inside the competition";
  EXPECT_TRUE(listed("2026-06-01", "2026-06-30")) << "competition inside the window";
  EXPECT_TRUE(listed("2026-06-14", "2026-06-14")) << "one-day window on its last day";
  EXPECT_FALSE(listed("2026-06-15", "2026-06-20")) << "window after it";
  EXPECT_FALSE(listed("2026-06-01", "2026-06-09")) << "window before it";
  EXPECT_EQ(IdsOf(this->AllCompetitionPages({.from = D("2026-06-12")})), (Ids{june.id}));
}

// Lists start their scan at `from` minus the longest competition stored: a long one that
// started well before `from` must still be found, also when an update made it long.
TYPED_TEST(StoreTest, ListCompetitionsFindsLongCompetitionsThatStartedLongBeforeFrom) {
  for (int day = 1; day <= 28; ++day) {
    char date[32];  // room for any int, which -O1 cannot rule out
    std::snprintf(date, sizeof date, "2026-02-%02d", day);
    this->AddCompetition("Short " + std::to_string(day), date, date);
  }
  const Competition season = this->AddCompetition("Season", "2026-01-05", "2026-03-20");
  Competition indoor = this->AddCompetition("Indoor", "2026-01-10", "2026-01-11");
  EXPECT_EQ(IdsOf(this->AllCompetitionPages({.from = D("2026-03-01"), .limit = 2})),
            (Ids{season.id}));

  Competition longer = indoor;
  longer.end_date = D("2026-04-30");
  longer.version = indoor.version + 1;
  ASSERT_OK(RunSync(this->store().UpdateCompetition(longer, indoor.version)));
  EXPECT_EQ(IdsOf(this->AllCompetitionPages({.from = D("2026-04-01"), .limit = 2})),
            (Ids{longer.id}));
  EXPECT_EQ(IdsOf(this->AllCompetitionPages({.from = D("2026-03-20"), .limit = 1})),
            (Ids{season.id, longer.id}));
}

TYPED_TEST(StoreTest, ListCompetitionsTextMatchesNameOrLocationCaseInsensitively) {
  const Competition pre =
      this->AddCompetition("Prefontaine Classic", "2026-07-04", "2026-07-04", "Eugene, OR");
  const Competition bislett =
      this->AddCompetition("Bislett Games", "2026-06-11", "2026-06-11", "Oslo");
  const Competition percent =
      this->AddCompetition("100% Relay", "2026-08-01", "2026-08-01", "Eugene_Town");
  auto matching = [&](std::string text) {
    return IdsOf(this->AllCompetitionPages({.text = std::move(text)}));
  };
  EXPECT_EQ(matching("fontaine"), (Ids{pre.id}));
  EXPECT_EQ(matching("OSLO"), (Ids{bislett.id}));
  EXPECT_EQ(matching("eugene"), (Ids{pre.id, percent.id}));
  EXPECT_EQ(matching("games"), (Ids{bislett.id}));
  // LIKE wildcards are plain characters here.
  EXPECT_EQ(matching("%"), (Ids{percent.id}));
  EXPECT_EQ(matching("e_t"), (Ids{percent.id}));
  EXPECT_EQ(matching("zurich"), Ids{});
  // Case folds beyond ASCII.
  const Competition malmo =
      this->AddCompetition("ÅRSTA Spelen", "2026-09-01", "2026-09-01", "MALMÖ");
  EXPECT_EQ(matching("årsta"), (Ids{malmo.id}));
  EXPECT_EQ(matching("malmö"), (Ids{malmo.id}));
  EXPECT_EQ(matching("Malmö"), (Ids{malmo.id}));
  // Text and dates combine.
  EXPECT_EQ(IdsOf(this->AllCompetitionPages({.from = D("2026-07-05"), .text = "eugene"})),
            (Ids{percent.id}));
}

// ---- Athletes -------------------------------------------------------------------------------

TYPED_TEST(StoreTest, CreatedAthleteReadsBackWithUsernameAndEveryField) {
  const User user = this->AddUser("faith");
  Athlete athlete = this->MakeAthlete(user, "Faith", "Kipyegon");
  athlete.username = "ignored";
  athlete.bio = "Middle distance";
  athlete.birthday = D("1994-01-10");
  athlete.team = "Kenya";
  athlete.country = "KEN";
  athlete.disciplines = {"1500m", "5000m", "mile \"road\""};
  ASSERT_OK(RunSync(this->store().CreateAthlete(athlete)));

  Result<Athlete> read = RunSync(this->store().GetAthlete(user.id));
  ASSERT_OK(read);
  EXPECT_EQ(read->username, "faith");
  EXPECT_EQ(read->first_name, "Faith");
  EXPECT_EQ(read->last_name, "Kipyegon");
  EXPECT_EQ(read->bio, "Middle distance");
  EXPECT_EQ(read->birthday, D("1994-01-10"));
  EXPECT_EQ(read->team, "Kenya");
  EXPECT_EQ(read->country, "KEN");
  EXPECT_EQ(read->disciplines, (std::vector<std::string>{"1500m", "5000m", "mile \"road\""}));
  EXPECT_EQ(read->follower_count, 0);
  EXPECT_EQ(read->created_at, athlete.created_at);
  EXPECT_EQ(read->version, 1);
}

TYPED_TEST(StoreTest, AthleteWithoutOptionalFieldsReadsBackEmpty) {
  const Athlete athlete = this->AddAthlete("Plain", "Athlete");
  Result<Athlete> read = RunSync(this->store().GetAthlete(athlete.id));
  ASSERT_OK(read);
  EXPECT_EQ(read->bio, std::nullopt);
  EXPECT_EQ(read->birthday, std::nullopt);
  EXPECT_EQ(read->team, std::nullopt);
  EXPECT_EQ(read->country, std::nullopt);
  EXPECT_TRUE(read->disciplines.empty());
}

TYPED_TEST(StoreTest, CreateAthleteNeedsAUserAndConflictsTheSecondTime) {
  User ghost = this->MakeUser("ghost");
  EXPECT_EQ(CodeOf(RunSync(this->store().CreateAthlete(this->MakeAthlete(ghost, "G", "H")))),
            "not_found");
  const User user = this->AddUser("alice");
  ASSERT_OK(RunSync(this->store().CreateAthlete(this->MakeAthlete(user, "Alice", "A"))));
  EXPECT_EQ(CodeOf(RunSync(this->store().CreateAthlete(this->MakeAthlete(user, "Alice", "B")))),
            "conflict");
  EXPECT_EQ(RunSync(this->store().GetAthlete(user.id))->last_name, "A");
  EXPECT_EQ(CodeOf(RunSync(this->store().GetAthlete(this->NewId()))), "not_found");
}

TYPED_TEST(StoreTest, UpdateAthleteWritesProfileAndRejectsStaleVersions) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  Athlete changed = athlete;
  changed.first_name = "Faith C.";
  changed.team = "Nike";
  changed.disciplines = {"1500m"};
  changed.updated_at = At(77);
  changed.version = 2;
  ASSERT_OK(RunSync(this->store().UpdateAthlete(changed, 1)));

  Athlete stale = athlete;
  stale.first_name = "Stale";
  stale.version = 2;
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateAthlete(stale, 1))), "precondition_failed");

  Result<Athlete> read = RunSync(this->store().GetAthlete(athlete.id));
  ASSERT_OK(read);
  EXPECT_EQ(read->first_name, "Faith C.");
  EXPECT_EQ(read->team, "Nike");
  EXPECT_EQ(read->disciplines, (std::vector<std::string>{"1500m"}));
  EXPECT_EQ(read->updated_at, At(77));
  EXPECT_EQ(read->version, 2);
}

TYPED_TEST(StoreTest, DeleteAthleteRemovesEventsAndFollowsButKeepsTheUser) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const User fan = this->AddUser("fan");
  const Competition competition = this->AddCompetition("Meet", "2026-06-10", "2026-06-14");
  const Event event = this->AddEvent(athlete, competition, "2026-06-11T10:00:00Z");
  ASSERT_OK(RunSync(this->store().Follow(fan.id, athlete.id, At(1))));

  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteAthlete(athlete.id, 3))), "precondition_failed");
  ASSERT_OK(RunSync(this->store().DeleteAthlete(athlete.id, 1)));

  EXPECT_EQ(CodeOf(RunSync(this->store().GetAthlete(athlete.id))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().GetEvent(event.id))), "not_found");
  EXPECT_TRUE(RunSync(this->store().ListFollowing({.user_id = fan.id}))->items.empty());
  EXPECT_OK(RunSync(this->store().GetUser(athlete.id)));
  EXPECT_OK(RunSync(this->store().GetCompetition(competition.id)));
  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteAthlete(athlete.id, std::nullopt))), "not_found");
}

TYPED_TEST(StoreTest, ListAthletesOrdersByLastThenFirstNameCaseInsensitivelyAcrossPages) {
  const Athlete bolt = this->AddAthlete("usain", "Bolt");
  const Athlete ab = this->AddAthlete("Bob", "abebe");
  const Athlete aa = this->AddAthlete("Anna", "Abebe");
  const Athlete same_a = this->AddAthlete("Zed", "Cole");
  const Athlete same_b = this->AddAthlete("zed", "COLE");  // same keys: id decides
  const Ids expected = {aa.id, ab.id, bolt.id, same_a.id, same_b.id};

  for (int limit : {1, 2, 4, 5}) {
    AthleteQuery query{.limit = limit};
    Ids all;
    for (int pages = 0; pages < 10; ++pages) {
      Result<Page<Athlete>> page = RunSync(this->store().ListAthletes(query));
      ASSERT_OK(page);
      ASSERT_LE(page->items.size(), static_cast<size_t>(limit));
      for (const Athlete& athlete : page->items) all.push_back(athlete.id);
      if (!page->has_more) break;
      query.after = CursorOf(page->items.back());
    }
    EXPECT_EQ(all, expected) << "limit " << limit;
  }
}

TYPED_TEST(StoreTest, ListAthletesPrefixMatchesStartOfFirstOrLastNameCaseInsensitively) {
  const Athlete faith = this->AddAthlete("Faith", "Kipyegon");
  const Athlete eliud = this->AddAthlete("Eliud", "Kipchoge");
  const Athlete kip = this->AddAthlete("Kipkemboi", "Zed");
  const Athlete mondo = this->AddAthlete("Armand", "Duplantis");
  const Athlete percent = this->AddAthlete("50%", "Percent");
  auto matching = [&](std::string prefix, int limit = 50) {
    AthleteQuery query{.prefix = std::move(prefix), .limit = limit};
    Ids all;
    for (int pages = 0; pages < 10; ++pages) {
      Result<Page<Athlete>> page = RunSync(this->store().ListAthletes(query));
      EXPECT_OK(page);
      if (!page.ok()) break;
      for (const Athlete& athlete : page->items) all.push_back(athlete.id);
      if (!page->has_more) break;
      query.after = CursorOf(page->items.back());
    }
    return all;
  };
  EXPECT_EQ(matching("kip"), (Ids{eliud.id, faith.id, kip.id}));
  EXPECT_EQ(matching("KIP", 1), (Ids{eliud.id, faith.id, kip.id}));
  EXPECT_EQ(matching("Kipy"), (Ids{faith.id}));
  EXPECT_EQ(matching("duplantis"), (Ids{mondo.id}));
  EXPECT_EQ(matching("plan"), Ids{}) << "a prefix, not a substring";
  EXPECT_EQ(matching("5"), (Ids{percent.id}));
  EXPECT_EQ(matching("%"), Ids{}) << "no LIKE wildcards";
  EXPECT_EQ(matching("_"), Ids{});
  EXPECT_EQ(matching("").size(), 5U);
  // Case folds beyond ASCII.
  const Athlete emile = this->AddAthlete("Émile", "Ørsted");
  EXPECT_EQ(matching("é"), (Ids{emile.id}));
  EXPECT_EQ(matching("ØR"), (Ids{emile.id}));
}

// ---- Following ------------------------------------------------------------------------------

TYPED_TEST(StoreTest, FollowIsIdempotentKeepsTheFirstTimeAndCountsFollowers) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const User fan = this->AddUser("fan");
  const User other_fan = this->AddUser("other");
  ASSERT_OK(RunSync(this->store().Follow(fan.id, athlete.id, At(10))));
  ASSERT_OK(RunSync(this->store().Follow(fan.id, athlete.id, At(20))));
  ASSERT_OK(RunSync(this->store().Follow(other_fan.id, athlete.id, At(30))));

  Result<Page<FollowedAthlete>> following =
      RunSync(this->store().ListFollowing({.user_id = fan.id}));
  ASSERT_OK(following);
  ASSERT_EQ(following->items.size(), 1U);
  EXPECT_EQ(following->items[0].athlete.id, athlete.id);
  EXPECT_EQ(following->items[0].athlete.username, athlete.username);
  EXPECT_EQ(following->items[0].followed_at, At(10));
  EXPECT_EQ(following->items[0].athlete.follower_count, 2);
  EXPECT_EQ(RunSync(this->store().GetAthlete(athlete.id))->follower_count, 2);
}

TYPED_TEST(StoreTest, FollowUnknownAthleteIsNotFound) {
  const User fan = this->AddUser("fan");
  const User not_an_athlete = this->AddUser("plain");
  EXPECT_EQ(CodeOf(RunSync(this->store().Follow(fan.id, this->NewId(), At(1)))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().Follow(fan.id, not_an_athlete.id, At(1)))), "not_found");
}

TYPED_TEST(StoreTest, UnfollowIsIdempotent) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const User fan = this->AddUser("fan");
  ASSERT_OK(RunSync(this->store().Follow(fan.id, athlete.id, At(10))));
  ASSERT_OK(RunSync(this->store().Unfollow(fan.id, athlete.id)));
  ASSERT_OK(RunSync(this->store().Unfollow(fan.id, athlete.id)));
  EXPECT_TRUE(RunSync(this->store().ListFollowing({.user_id = fan.id}))->items.empty());
  EXPECT_EQ(RunSync(this->store().GetAthlete(athlete.id))->follower_count, 0);
}

TYPED_TEST(StoreTest, ListFollowingIsNewestFirstAcrossPages) {
  const User fan = this->AddUser("fan");
  const Athlete first = this->AddAthlete("First", "Followed");
  const Athlete tie_low = this->AddAthlete("Tie", "Low");
  const Athlete tie_high = this->AddAthlete("Tie", "High");  // later id
  const Athlete last = this->AddAthlete("Last", "Followed");
  const Athlete not_followed = this->AddAthlete("Not", "Followed");
  ASSERT_OK(RunSync(this->store().Follow(fan.id, first.id, At(1))));
  ASSERT_OK(RunSync(this->store().Follow(fan.id, tie_low.id, At(2))));
  ASSERT_OK(RunSync(this->store().Follow(fan.id, tie_high.id, At(2))));
  ASSERT_OK(RunSync(this->store().Follow(fan.id, last.id, At(3))));
  ASSERT_OK(RunSync(this->store().Follow(not_followed.id, first.id, At(4))));
  const Ids expected = {last.id, tie_high.id, tie_low.id, first.id};

  for (int limit : {1, 3, 4}) {
    FollowingQuery query{.user_id = fan.id, .limit = limit};
    Ids all;
    for (int pages = 0; pages < 10; ++pages) {
      Result<Page<FollowedAthlete>> page = RunSync(this->store().ListFollowing(query));
      ASSERT_OK(page);
      ASSERT_LE(page->items.size(), static_cast<size_t>(limit));
      for (const FollowedAthlete& item : page->items) all.push_back(item.athlete.id);
      if (!page->has_more) break;
      query.after = FollowCursor{page->items.back().followed_at, page->items.back().athlete.id};
    }
    EXPECT_EQ(all, expected) << "limit " << limit;
  }
  EXPECT_EQ(CodeOf(RunSync(this->store().ListFollowing({.user_id = this->NewId()}))), "not_found");
}

// The ids of every page of ListFollowers.
Ids AllFollowerPages(Store& store, FollowersQuery query) {
  return IdsOf(AllPages<Follower>(
      query, [&](const FollowersQuery& q) { return store.ListFollowers(q); },
      [](const Follower& last) {
        return FollowCursor{last.followed_at, last.id};
      }));
}

TYPED_TEST(StoreTest, ListFollowersIsNewestFirstAcrossPagesWithPublicProfiles) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Athlete other = this->AddAthlete("Other", "Athlete");
  const User first = this->AddUser("first");
  const User tie_low = this->AddUser("tie_low");
  const User tie_high = this->AddUser("tie_high");  // later id
  const User last = this->AddUser("last");
  ASSERT_OK(RunSync(this->store().Follow(first.id, athlete.id, At(1))));
  ASSERT_OK(RunSync(this->store().Follow(tie_low.id, athlete.id, At(2))));
  ASSERT_OK(RunSync(this->store().Follow(tie_high.id, athlete.id, At(2))));
  ASSERT_OK(RunSync(this->store().Follow(last.id, athlete.id, At(3))));
  ASSERT_OK(RunSync(this->store().Follow(first.id, other.id, At(4))));    // another athlete's
  ASSERT_OK(RunSync(this->store().Follow(first.id, athlete.id, At(9))));  // keeps the first time

  for (int limit : {1, 3, 4, 50}) {
    EXPECT_EQ(AllFollowerPages(this->store(), {.athlete_id = athlete.id, .limit = limit}),
              (Ids{last.id, tie_high.id, tie_low.id, first.id}))
        << "limit " << limit;
  }
  Result<Page<Follower>> page = RunSync(this->store().ListFollowers({.athlete_id = athlete.id}));
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 4U);
  EXPECT_FALSE(page->has_more);
  const Follower& oldest = page->items.back();
  EXPECT_EQ(oldest.username, first.username);
  EXPECT_EQ(oldest.display_name, first.display_name);
  EXPECT_EQ(oldest.followed_at, At(1));
}

TYPED_TEST(StoreTest, ListFollowersOfUnknownOrNonAthleteIsNotFoundAndEmptyWhenUnfollowed) {
  const User plain = this->AddUser("plain");
  EXPECT_EQ(CodeOf(RunSync(this->store().ListFollowers({.athlete_id = this->NewId()}))),
            "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().ListFollowers({.athlete_id = plain.id}))), "not_found");
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  Result<Page<Follower>> none = RunSync(this->store().ListFollowers({.athlete_id = athlete.id}));
  ASSERT_OK(none);
  EXPECT_TRUE(none->items.empty());
  EXPECT_FALSE(none->has_more);
}

TYPED_TEST(StoreTest, FollowersMatchFollowerCountAfterUnfollowsAndAFollowerLeaving) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  std::vector<User> fans;
  for (int i = 0; i < 6; ++i) {
    fans.push_back(this->AddUser("fan" + std::to_string(i)));
    ASSERT_OK(RunSync(this->store().Follow(fans.back().id, athlete.id, At(10 + i))));
  }
  ASSERT_OK(RunSync(this->store().Unfollow(fans[1].id, athlete.id)));
  ASSERT_OK(RunSync(this->store().DeleteUser(fans[4].id, std::nullopt)));

  const Ids expected = {fans[5].id, fans[3].id, fans[2].id, fans[0].id};
  EXPECT_EQ(AllFollowerPages(this->store(), {.athlete_id = athlete.id, .limit = 2}), expected);
  EXPECT_EQ(RunSync(this->store().GetAthlete(athlete.id))->follower_count, 4);
}

TYPED_TEST(StoreTest, ConcurrentFollowsAndUnfollowsLeaveFollowersEqualToTheCount) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  constexpr int kThreads = 6;
  constexpr int kRounds = 5;
  std::vector<User> fans;
  for (int i = 0; i < kThreads; ++i) fans.push_back(this->AddUser("fan" + std::to_string(i)));
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  // Each thread follows and unfollows with its own fan, then (odd ones) ends followed; and every
  // thread also races the others on fan 0, whose follow state ends whatever the last write said.
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        if (!RunSync(this->store().Follow(fans[t].id, athlete.id, At(r))).ok()) ++failures;
        if (!RunSync(this->store().Follow(fans[0].id, athlete.id, At(r))).ok()) ++failures;
        if (!RunSync(this->store().Unfollow(fans[t].id, athlete.id)).ok()) ++failures;
        if (!RunSync(this->store().Unfollow(fans[0].id, athlete.id)).ok()) ++failures;
      }
      if (t % 2 == 1 && !RunSync(this->store().Follow(fans[t].id, athlete.id, At(99))).ok()) {
        ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  const Ids listed = AllFollowerPages(this->store(), {.athlete_id = athlete.id, .limit = 2});
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()),
            (std::set<std::string>{fans[1].id, fans[3].id, fans[5].id}));
  EXPECT_EQ(RunSync(this->store().GetAthlete(athlete.id))->follower_count,
            static_cast<int64_t>(listed.size()));
}

// ---- Events ---------------------------------------------------------------------------------

TYPED_TEST(StoreTest, CreatedEventReadsBackWithItsOffsetKept) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Competition competition = this->AddCompetition("Meet", "2026-06-13", "2026-06-14");
  Event event = this->MakeEvent(athlete, competition, "2026-06-13T16:39:57.5-07:00", "1500m");
  event.notes = "final";
  ASSERT_OK(RunSync(this->store().CreateEvent(event)));

  Result<Event> read = RunSync(this->store().GetEvent(event.id));
  ASSERT_OK(read);
  EXPECT_EQ(read->athlete_id, athlete.id);
  EXPECT_EQ(read->competition_id, competition.id);
  EXPECT_EQ(read->name, "1500m");
  EXPECT_EQ(read->date_time.ToString(), "2026-06-13T16:39:57.5-07:00");
  EXPECT_EQ(read->date_time.instant(), event.date_time.instant());
  EXPECT_EQ(read->notes, "final");
  EXPECT_EQ(read->created_at, event.created_at);
  EXPECT_EQ(read->version, 1);
  EXPECT_EQ(CodeOf(RunSync(this->store().GetEvent(this->NewId()))), "not_found");
}

TYPED_TEST(StoreTest, CreateEventNamesTheMissingAthleteOrCompetition) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Competition competition = this->AddCompetition("Meet", "2026-06-13", "2026-06-14");
  Event no_competition = this->MakeEvent(athlete, competition, "2026-06-13T10:00:00Z");
  no_competition.competition_id = this->NewId();
  Status status = RunSync(this->store().CreateEvent(no_competition));
  ASSERT_EQ(CodeOf(status), "not_found");
  EXPECT_EQ(status.error().message, kNoSuchCompetitionMessage);

  Event no_athlete = this->MakeEvent(athlete, competition, "2026-06-13T10:00:00Z");
  no_athlete.athlete_id = this->NewId();
  status = RunSync(this->store().CreateEvent(no_athlete));
  ASSERT_EQ(CodeOf(status), "not_found");
  EXPECT_EQ(status.error().message, "no such athlete");
}

TYPED_TEST(StoreTest, CreateEventConflictsWhenItsLocalDayIsOutsideTheCompetition) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Competition competition = this->AddCompetition("Meet", "2026-06-13", "2026-06-14");
  // 23:30 at UTC-7 is the next day in UTC, but the local day is what counts.
  EXPECT_OK(RunSync(this->store().CreateEvent(
      this->MakeEvent(athlete, competition, "2026-06-14T23:30:00-07:00"))));
  // 01:00 at UTC+9 is the day before in UTC.
  EXPECT_OK(RunSync(this->store().CreateEvent(
      this->MakeEvent(athlete, competition, "2026-06-13T01:00:00+09:00"))));
  EXPECT_EQ(CodeOf(RunSync(this->store().CreateEvent(
                this->MakeEvent(athlete, competition, "2026-06-12T23:59:59Z")))),
            "conflict");
  EXPECT_EQ(CodeOf(RunSync(this->store().CreateEvent(
                this->MakeEvent(athlete, competition, "2026-06-15T00:00:00Z")))),
            "conflict");
}

TYPED_TEST(StoreTest, UpdateEventChecksVersionCompetitionAndDates) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Competition june = this->AddCompetition("June", "2026-06-13", "2026-06-14");
  const Competition july = this->AddCompetition("July", "2026-07-01", "2026-07-02");
  const Event event = this->AddEvent(athlete, june, "2026-06-13T10:00:00Z");

  Event moved = event;
  moved.competition_id = july.id;
  moved.date_time = DT("2026-07-02T09:00:00+02:00");
  moved.name = "Final";
  moved.notes = "moved";
  moved.updated_at = At(40);
  moved.version = 2;
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateEvent(moved, 9))), "precondition_failed");
  ASSERT_OK(RunSync(this->store().UpdateEvent(moved, 1)));
  Result<Event> read = RunSync(this->store().GetEvent(event.id));
  ASSERT_OK(read);
  EXPECT_EQ(read->competition_id, july.id);
  EXPECT_EQ(read->date_time.ToString(), "2026-07-02T09:00:00+02:00");
  EXPECT_EQ(read->name, "Final");
  EXPECT_EQ(read->notes, "moved");
  EXPECT_EQ(read->updated_at, At(40));
  EXPECT_EQ(read->version, 2);

  Event outside = moved;
  outside.date_time = DT("2026-07-03T09:00:00Z");
  outside.version = 3;
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateEvent(outside, 2))), "conflict");
  Event gone = moved;
  gone.competition_id = this->NewId();
  gone.version = 3;
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateEvent(gone, 2))), "not_found");
  EXPECT_EQ(RunSync(this->store().GetEvent(event.id))->version, 2);
  Event unknown = moved;
  unknown.id = this->NewId();
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateEvent(unknown, 1))), "not_found");
}

TYPED_TEST(StoreTest, DeleteEventHonoursItsVersion) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Competition competition = this->AddCompetition("Meet", "2026-06-13", "2026-06-14");
  const Event event = this->AddEvent(athlete, competition, "2026-06-13T10:00:00Z");
  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteEvent(event.id, 2))), "precondition_failed");
  EXPECT_OK(RunSync(this->store().GetEvent(event.id)));
  EXPECT_OK(RunSync(this->store().DeleteEvent(event.id, 1)));
  EXPECT_EQ(CodeOf(RunSync(this->store().GetEvent(event.id))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteEvent(event.id, std::nullopt))), "not_found");
}

TYPED_TEST(StoreTest, ListEventsOrdersByInstantAcrossPages) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Athlete other = this->AddAthlete("Other", "Athlete");
  const Competition competition = this->AddCompetition("Meet", "2026-06-10", "2026-06-20");
  const Event third = this->AddEvent(athlete, competition, "2026-06-12T10:00:00Z");
  // Earlier as an instant, though its local clock reads later.
  const Event first = this->AddEvent(athlete, competition, "2026-06-11T20:00:00+12:00");
  const Event second_a = this->AddEvent(athlete, competition, "2026-06-11T12:00:00Z");
  const Event second_b = this->AddEvent(athlete, competition, "2026-06-11T14:00:00+02:00");
  this->AddEvent(other, competition, "2026-06-11T00:00:00Z");
  const Ids expected = {first.id, second_a.id, second_b.id, third.id};

  for (int limit : {1, 2, 4}) {
    EventQuery query{.athlete_id = athlete.id, .limit = limit};
    Ids all;
    for (int pages = 0; pages < 10; ++pages) {
      Result<Page<Event>> page = RunSync(this->store().ListEvents(query));
      ASSERT_OK(page);
      ASSERT_LE(page->items.size(), static_cast<size_t>(limit));
      for (const Event& event : page->items) all.push_back(event.id);
      if (!page->has_more) break;
      query.after = EventCursor{page->items.back().date_time.instant(), page->items.back().id};
    }
    EXPECT_EQ(all, expected) << "limit " << limit;
  }
}

TYPED_TEST(StoreTest, ListEventsFromAndToAreInclusiveLocalDays) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Competition competition = this->AddCompetition("Meet", "2026-06-10", "2026-06-20");
  // Local day 06-12 (06-13 in UTC).
  const Event late = this->AddEvent(athlete, competition, "2026-06-12T22:00:00-05:00");
  // Local day 06-14 (06-13 in UTC).
  const Event early = this->AddEvent(athlete, competition, "2026-06-14T01:00:00+03:00");
  const Event other = this->AddEvent(athlete, competition, "2026-06-16T12:00:00Z");
  auto listed = [&](std::optional<std::string_view> from, std::optional<std::string_view> to) {
    EventQuery query{.athlete_id = athlete.id};
    if (from.has_value()) query.from = D(*from);
    if (to.has_value()) query.to = D(*to);
    Result<Page<Event>> page = RunSync(this->store().ListEvents(query));
    EXPECT_OK(page);
    return page.ok() ? IdsOf(page->items) : Ids{};
  };
  EXPECT_EQ(listed("2026-06-13", "2026-06-13"), Ids{});
  EXPECT_EQ(listed("2026-06-12", "2026-06-12"), (Ids{late.id}));
  EXPECT_EQ(listed("2026-06-14", std::nullopt), (Ids{early.id, other.id}));
  EXPECT_EQ(listed(std::nullopt, "2026-06-14"), (Ids{late.id, early.id}));
  EXPECT_EQ(listed(std::nullopt, std::nullopt), (Ids{late.id, early.id, other.id}));
  EXPECT_EQ(CodeOf(RunSync(this->store().ListEvents({.athlete_id = this->NewId()}))), "not_found");
}

// ---- Start lists ------------------------------------------------------------------------------

std::vector<StartListEntry> AllStartListPages(Store& store, StartListQuery query) {
  return AllPages<StartListEntry>(
      query, [&](const StartListQuery& q) { return store.ListCompetitionEvents(q); },
      [](const StartListEntry& last) {
        return EventCursor{last.event.date_time.instant(), last.event.id};
      });
}
Ids EventIdsOf(const std::vector<StartListEntry>& entries) {
  Ids ids;
  for (const StartListEntry& entry : entries) ids.push_back(entry.event.id);
  return ids;
}

TYPED_TEST(StoreTest, StartListOrdersByInstantAcrossPagesWithEachAthlete) {
  Athlete faith = this->MakeAthlete(this->AddUser("faith"), "Faith", "Kipyegon");
  faith.country = "KEN";
  faith.team = "Nike";
  ASSERT_OK(RunSync(this->store().CreateAthlete(faith)));
  const Athlete other = this->AddAthlete("Gudaf", "Tsegay");
  const Competition meet = this->AddCompetition("Meet", "2026-06-10", "2026-06-20");
  const Competition elsewhere = this->AddCompetition("Elsewhere", "2026-06-10", "2026-06-20");
  // Local days and instants in different orders: the start list follows the instants.
  const Event b = this->AddEvent(faith, meet, "2026-06-11T20:00:00-10:00");  // 06-12T06:00Z
  const Event a = this->AddEvent(other, meet, "2026-06-12T01:00:00+14:00");  // 06-11T11:00Z
  const Event c_low = this->AddEvent(other, meet, "2026-06-12T08:00:00Z");
  const Event c_high = this->AddEvent(faith, meet, "2026-06-12T10:00:00+02:00");  // same instant
  const Event d = this->AddEvent(faith, meet, "2026-06-19T23:30:00-12:00");
  this->AddEvent(faith, elsewhere, "2026-06-12T09:00:00Z");
  const Ids expected = {a.id, b.id, c_low.id, c_high.id, d.id};

  for (int limit : {1, 2, 4, 50}) {
    EXPECT_EQ(
        EventIdsOf(AllStartListPages(this->store(), {.competition_id = meet.id, .limit = limit})),
        expected)
        << "limit " << limit;
  }
  const std::vector<StartListEntry> all =
      AllStartListPages(this->store(), {.competition_id = meet.id});
  ASSERT_EQ(all.size(), 5U);
  EXPECT_EQ(all[1].event.name, b.name);
  EXPECT_EQ(all[1].event.date_time.ToString(), "2026-06-11T20:00:00-10:00");
  EXPECT_EQ(all[1].athlete.id, faith.id);
  EXPECT_EQ(all[1].athlete.first_name, "Faith");
  EXPECT_EQ(all[1].athlete.last_name, "Kipyegon");
  EXPECT_EQ(all[1].athlete.country, "KEN");
  EXPECT_EQ(all[1].athlete.team, "Nike");
  EXPECT_EQ(all[0].athlete.id, other.id);
  EXPECT_EQ(all[0].athlete.country, std::nullopt);
}

TYPED_TEST(StoreTest, StartListFiltersByDisciplinePrefixCaseInsensitively) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Competition meet = this->AddCompetition("Meet", "2026-06-10", "2026-06-20");
  const Event heats = this->AddEvent(athlete, meet, "2026-06-11T10:00:00Z", "100m heats");
  this->AddEvent(athlete, meet, "2026-06-11T11:00:00Z", "1000m");
  const Event final = this->AddEvent(athlete, meet, "2026-06-12T10:00:00Z", "100M Final");
  this->AddEvent(athlete, meet, "2026-06-12T11:00:00Z", "200m");
  const Event relay = this->AddEvent(athlete, meet, "2026-06-13T11:00:00Z", "Épreuve relais");

  for (int limit : {1, 2, 50}) {
    EXPECT_EQ(
        EventIdsOf(AllStartListPages(
            this->store(), {.competition_id = meet.id, .discipline = "100m", .limit = limit})),
        (Ids{heats.id, final.id}))
        << "limit " << limit;
  }
  EXPECT_EQ(EventIdsOf(
                AllStartListPages(this->store(), {.competition_id = meet.id, .discipline = "éPR"})),
            Ids{relay.id});
  EXPECT_TRUE(
      AllStartListPages(this->store(), {.competition_id = meet.id, .discipline = "400m"}).empty());
}

TYPED_TEST(StoreTest, StartListOfManyEventsInManyOffsetsMatchesASortedReading) {
  const Competition meet = this->AddCompetition("Meet", "2026-06-10", "2026-06-16");
  std::vector<Athlete> athletes;
  for (int i = 0; i < 4; ++i) {
    athletes.push_back(this->AddAthlete("A" + std::to_string(i), "Runner"));
  }
  // Offsets from -12:00 to +14:00 over the meet's days, in a fixed pseudo-random order.
  constexpr const char* kOffsets[] = {"-12:00", "-10:00", "-03:30", "Z",
                                      "+05:45", "+09:00", "+12:45", "+14:00"};
  std::vector<std::pair<Timestamp, std::string>> expected;
  uint32_t seed = 12345;
  for (int i = 0; i < 60; ++i) {
    seed = seed * 1103515245 + 12345;
    const int day = 10 + static_cast<int>((seed >> 8) % 7);
    const int hour = static_cast<int>((seed >> 12) % 24);
    const char* offset = kOffsets[(seed >> 20) % 8];
    char date_time[40];
    std::snprintf(date_time, sizeof date_time, "2026-06-%02dT%02d:15:00%s", day, hour, offset);
    const Event event = this->AddEvent(athletes[i % athletes.size()], meet, date_time,
                                       i % 3 == 0 ? "400m" : "800m");
    if (i % 3 == 0) expected.emplace_back(event.date_time.instant(), event.id);
  }
  std::sort(expected.begin(), expected.end());
  Ids expected_ids;
  for (const auto& [instant, id] : expected) expected_ids.push_back(id);

  for (int limit : {1, 3, 7, 50}) {
    EXPECT_EQ(EventIdsOf(AllStartListPages(
                  this->store(), {.competition_id = meet.id, .discipline = "400", .limit = limit})),
              expected_ids)
        << "limit " << limit;
  }
  EXPECT_EQ(AllStartListPages(this->store(), {.competition_id = meet.id, .limit = 9}).size(), 60U);
}

TYPED_TEST(StoreTest, StartListOfUnknownCompetitionIsNotFoundAndOfAnEmptyOneEmpty) {
  EXPECT_EQ(CodeOf(RunSync(this->store().ListCompetitionEvents({.competition_id = this->NewId()}))),
            "not_found");
  const Competition meet = this->AddCompetition("Meet", "2026-06-10", "2026-06-20");
  Result<Page<StartListEntry>> empty =
      RunSync(this->store().ListCompetitionEvents({.competition_id = meet.id}));
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->items.empty());
  EXPECT_FALSE(empty->has_more);
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  this->AddEvent(athlete, meet, "2026-06-11T10:00:00Z");
  ASSERT_OK(RunSync(this->store().DeleteCompetition(meet.id, std::nullopt)));
  EXPECT_EQ(CodeOf(RunSync(this->store().ListCompetitionEvents({.competition_id = meet.id}))),
            "not_found");
}

// ---- Feed -----------------------------------------------------------------------------------

TYPED_TEST(StoreTest, FeedShowsUpcomingCompetitionsOfFollowedAthletesOnceEach) {
  const User fan = this->AddUser("fan");
  const Athlete kip = this->AddAthlete("Faith", "Kipyegon");
  const Athlete bolt = this->AddAthlete("Usain", "Bolt");
  const Athlete stranger = this->AddAthlete("Not", "Followed");
  ASSERT_OK(RunSync(this->store().Follow(fan.id, kip.id, At(1))));
  ASSERT_OK(RunSync(this->store().Follow(fan.id, bolt.id, At(2))));

  const Competition past = this->AddCompetition("Past", "2026-05-01", "2026-05-02");
  const Competition running = this->AddCompetition("Running", "2026-05-30", "2026-06-01");
  const Competition later = this->AddCompetition("Later", "2026-07-10", "2026-07-12");
  const Competition strangers = this->AddCompetition("Strangers", "2026-06-05", "2026-06-05");
  this->AddCompetition("Empty", "2026-06-06", "2026-06-06");
  this->AddEvent(kip, past, "2026-05-01T10:00:00Z");
  const Event kip_heat = this->AddEvent(kip, running, "2026-05-30T10:00:00Z", "1500m heat");
  const Event kip_final = this->AddEvent(kip, running, "2026-06-01T18:00:00Z", "1500m final");
  const Event bolt_run = this->AddEvent(bolt, running, "2026-05-31T12:00:00Z", "100m");
  this->AddEvent(stranger, running, "2026-05-31T13:00:00Z");
  this->AddEvent(stranger, strangers, "2026-06-05T13:00:00Z");
  const Event kip_later = this->AddEvent(kip, later, "2026-07-11T10:00:00Z");

  // `from` on Running's last day: it is still upcoming, even with events before `from`.
  Result<Page<FeedEntry>> feed =
      RunSync(this->store().Feed({.user_id = fan.id, .from = D("2026-06-01")}));
  ASSERT_OK(feed);
  EXPECT_FALSE(feed->has_more);
  ASSERT_EQ(feed->items.size(), 2U);
  const FeedEntry& first = feed->items[0];
  EXPECT_EQ(first.competition.id, running.id);
  EXPECT_EQ(first.competition.name, "Running");
  ASSERT_EQ(IdsOf(first.athletes), (Ids{bolt.id, kip.id}));
  EXPECT_EQ(first.athletes[0].first_name, "Usain");
  EXPECT_EQ(first.athletes[0].last_name, "Bolt");
  EXPECT_EQ(IdsOf(first.athletes[0].events), (Ids{bolt_run.id}));
  EXPECT_EQ(IdsOf(first.athletes[1].events), (Ids{kip_heat.id, kip_final.id}));
  EXPECT_EQ(first.athletes[1].events[1].name, "1500m final");
  EXPECT_EQ(feed->items[1].competition.id, later.id);
  ASSERT_EQ(IdsOf(feed->items[1].athletes), (Ids{kip.id}));
  EXPECT_EQ(IdsOf(feed->items[1].athletes[0].events), (Ids{kip_later.id}));

  Result<Page<FeedEntry>> after_running =
      RunSync(this->store().Feed({.user_id = fan.id, .from = D("2026-06-02")}));
  ASSERT_OK(after_running);
  ASSERT_EQ(after_running->items.size(), 1U);
  EXPECT_EQ(after_running->items[0].competition.id, later.id);
}

TYPED_TEST(StoreTest, FeedPaginatesOneCompetitionAtATime) {
  const User fan = this->AddUser("fan");
  const Athlete a = this->AddAthlete("A", "A");
  const Athlete b = this->AddAthlete("B", "B");
  ASSERT_OK(RunSync(this->store().Follow(fan.id, a.id, At(1))));
  ASSERT_OK(RunSync(this->store().Follow(fan.id, b.id, At(1))));
  const Competition c3 = this->AddCompetition("C3", "2026-08-01", "2026-08-01");
  const Competition c1 = this->AddCompetition("C1", "2026-06-01", "2026-06-01");
  const Competition c2 = this->AddCompetition("C2", "2026-07-01", "2026-07-01");
  for (const Competition* competition : {&c1, &c2, &c3}) {
    const std::string day = competition->start_date.ToString();
    // Both athletes, several events each: still one entry per competition.
    this->AddEvent(a, *competition, day + "T10:00:00Z");
    this->AddEvent(a, *competition, day + "T11:00:00Z");
    this->AddEvent(b, *competition, day + "T12:00:00Z");
  }

  FeedQuery query{.user_id = fan.id, .from = D("2026-01-01"), .limit = 1};
  Ids seen;
  for (int pages = 0; pages < 10; ++pages) {
    Result<Page<FeedEntry>> page = RunSync(this->store().Feed(query));
    ASSERT_OK(page);
    ASSERT_EQ(page->items.size(), 1U);
    const FeedEntry& entry = page->items[0];
    seen.push_back(entry.competition.id);
    EXPECT_EQ(IdsOf(entry.athletes), (Ids{a.id, b.id}));
    EXPECT_EQ(entry.athletes[0].events.size(), 2U);
    if (!page->has_more) break;
    query.after = CompetitionCursor{entry.competition.start_date, entry.competition.id};
  }
  EXPECT_EQ(seen, (Ids{c1.id, c2.id, c3.id}));
}

// A user following many athletes (the SQLite store then walks competitions rather than the
// followed athletes' events) and one following a few get the feed a brute-force reading of
// the same data gives, page by page.
TYPED_TEST(StoreTest, FeedOfManyOrFewFollowsMatchesABruteForceReading) {
  const User many = this->AddUser("many");
  const User few = this->AddUser("few");
  std::vector<Athlete> athletes;
  for (int i = 0; i < 48; ++i) athletes.push_back(this->AddAthlete("F" + std::to_string(i), "L"));
  std::set<std::string> followed_by_many, followed_by_few;
  for (int i = 0; i < 40; ++i) {
    ASSERT_OK(RunSync(this->store().Follow(many.id, athletes[i].id, At(i))));
    followed_by_many.insert(athletes[i].id);
  }
  for (int i : {0, 3, 41, 44}) {
    ASSERT_OK(RunSync(this->store().Follow(few.id, athletes[i].id, At(i))));
    followed_by_few.insert(athletes[i].id);
  }
  // 30 competitions in March, one long one from January and one that ended in February; each
  // gets events from a few athletes picked by a fixed pattern (some only by unfollowed ones).
  std::vector<Competition> competitions;
  competitions.push_back(this->AddCompetition("Long", "2026-01-02", "2026-03-15"));
  competitions.push_back(this->AddCompetition("Over", "2026-02-01", "2026-02-27"));
  for (int day = 1; day <= 30; ++day) {
    char date[32];  // as above
    std::snprintf(date, sizeof date, "2026-03-%02d", day);
    competitions.push_back(this->AddCompetition("C" + std::to_string(day), date, date));
  }
  std::vector<Event> events;
  for (size_t c = 0; c < competitions.size(); ++c) {
    const std::string day = competitions[c].end_date.ToString();
    for (size_t k = 0; k < (c + 1) % 4; ++k) {
      const Athlete& athlete = athletes[(c * 7 + k * 13) % athletes.size()];
      events.push_back(this->AddEvent(athlete, competitions[c],
                                      day + "T1" + std::to_string(k) + ":00:00+02:00"));
    }
  }

  auto expected = [&](const std::set<std::string>& followed) {
    // competition id -> athlete ids -> event ids, for competitions ending on or after March 2.
    std::vector<std::pair<Competition, std::map<std::string, Ids>>> entries;
    for (const Competition& competition : competitions) {
      if (competition.end_date < D("2026-03-02")) continue;
      std::map<std::string, Ids> by_athlete;
      for (const Event& event : events) {
        if (event.competition_id == competition.id && followed.contains(event.athlete_id))
          by_athlete[event.athlete_id].push_back(event.id);
      }
      if (!by_athlete.empty()) entries.emplace_back(competition, by_athlete);
    }
    std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) {
      return std::tie(x.first.start_date, x.first.id) < std::tie(y.first.start_date, y.first.id);
    });
    return entries;
  };
  for (const auto& [user, followed] :
       {std::pair{&many, &followed_by_many}, std::pair{&few, &followed_by_few}}) {
    SCOPED_TRACE(user->username);
    const auto want = expected(*followed);
    ASSERT_FALSE(want.empty());
    FeedQuery query{.user_id = user->id, .from = D("2026-03-02"), .limit = 3};
    size_t next = 0;
    for (int pages = 0; pages < 50; ++pages) {
      Result<Page<FeedEntry>> page = RunSync(this->store().Feed(query));
      ASSERT_OK(page);
      for (const FeedEntry& entry : page->items) {
        ASSERT_LT(next, want.size());
        EXPECT_EQ(entry.competition.id, want[next].first.id);
        std::map<std::string, Ids> got;
        for (const FeedAthlete& athlete : entry.athletes) got[athlete.id] = IdsOf(athlete.events);
        EXPECT_EQ(got, want[next].second) << entry.competition.name;
        ++next;
      }
      if (!page->has_more) break;
      ASSERT_FALSE(page->items.empty());
      const Competition& last = page->items.back().competition;
      query.after = CompetitionCursor{last.start_date, last.id};
    }
    EXPECT_EQ(next, want.size());
  }
}

TYPED_TEST(StoreTest, FeedIsEmptyWithoutFollowsAndNotFoundForUnknownUser) {
  const User fan = this->AddUser("fan");
  const Athlete athlete = this->AddAthlete("A", "A");
  const Competition competition = this->AddCompetition("C", "2026-06-01", "2026-06-01");
  this->AddEvent(athlete, competition, "2026-06-01T10:00:00Z");
  Result<Page<FeedEntry>> feed =
      RunSync(this->store().Feed({.user_id = fan.id, .from = D("2026-01-01")}));
  ASSERT_OK(feed);
  EXPECT_TRUE(feed->items.empty());
  EXPECT_FALSE(feed->has_more);
  EXPECT_EQ(
      CodeOf(RunSync(this->store().Feed({.user_id = this->NewId(), .from = D("2026-01-01")}))),
      "not_found");
}

// ---- Concurrency ----------------------------------------------------------------------------

TYPED_TEST(StoreTest, ConcurrentSignUpsForOneUsernameLetExactlyOneSucceed) {
  constexpr int kThreads = 16;
  std::vector<User> users;
  for (int i = 0; i < kThreads; ++i) {
    // The same name in different cases.
    users.push_back(this->MakeUser(i % 2 == 0 ? "sprinter" : "SPRINTER"));
  }
  std::atomic<int> succeeded = 0;
  std::atomic<int> conflicted = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const Status status = RunSync(this->store().CreateUser(users[i], "hash"));
      if (status.ok()) {
        ++succeeded;
      } else if (status.error().code == ErrorCode::kConflict) {
        ++conflicted;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 1);
  EXPECT_EQ(conflicted.load(), kThreads - 1);
}

TYPED_TEST(StoreTest, ConcurrentUpdatesOfOneVersionLetExactlyOneWin) {
  const Competition competition = this->AddCompetition("Meet", "2026-06-01", "2026-06-02");
  constexpr int kThreads = 12;
  std::atomic<int> succeeded = 0;
  std::atomic<int> stale = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Competition changed = competition;
      changed.name = "Writer " + std::to_string(i);
      changed.version = 2;
      const Status status = RunSync(this->store().UpdateCompetition(changed, 1));
      if (status.ok()) {
        ++succeeded;
      } else if (status.error().code == ErrorCode::kPreconditionFailed) {
        ++stale;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 1);
  EXPECT_EQ(stale.load(), kThreads - 1);
  EXPECT_EQ(RunSync(this->store().GetCompetition(competition.id))->version, 2);
}

TYPED_TEST(StoreTest, ConcurrentReadersAndWritersAllSucceed) {
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const Competition competition = this->AddCompetition("Meet", "2026-06-01", "2026-06-30");
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  std::vector<std::vector<Event>> events(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int r = 0; r < kRounds; ++r) {
      events[t].push_back(this->MakeEvent(athlete, competition, "2026-06-15T10:00:00Z"));
    }
  }
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        if (!RunSync(this->store().CreateEvent(events[t][r])).ok()) ++failures;
        if (!RunSync(this->store().ListEvents({.athlete_id = athlete.id, .limit = 5})).ok()) {
          ++failures;
        }
        if (!RunSync(this->store().GetAthlete(athlete.id)).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<std::string> listed;
  EventQuery query{.athlete_id = athlete.id, .limit = 37};
  for (int pages = 0; pages < 100; ++pages) {
    Result<Page<Event>> page = RunSync(this->store().ListEvents(query));
    ASSERT_OK(page);
    for (const Event& event : page->items) EXPECT_TRUE(listed.insert(event.id).second);
    if (!page->has_more) break;
    query.after = EventCursor{page->items.back().date_time.instant(), page->items.back().id};
  }
  EXPECT_EQ(listed.size(), static_cast<size_t>(kThreads * kRounds));
}

}  // namespace
}  // namespace tt
