// The change log part of the Store contract (storage/store.h), typed over every backend like
// store_test.cc.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "storage/store_test_fixture.h"

namespace tt {
namespace {

template <typename Factory>
class ChangeLogTest : public StoreTest<Factory> {
 protected:
  // Every change after `after`, page by page (pages of `limit`).
  std::vector<Change> AllChanges(int64_t after = 0, int limit = 200) {
    std::vector<Change> all;
    ChangeQuery query{.after = after, .limit = limit};
    for (int pages = 0; pages < 500; ++pages) {
      Result<Page<Change>> page = RunSync(this->store().ListChanges(query));
      EXPECT_OK(page);
      if (!page.ok()) break;
      EXPECT_LE(page->items.size(), static_cast<size_t>(limit));
      all.insert(all.end(), page->items.begin(), page->items.end());
      if (!page->has_more || page->items.empty()) break;
      query.after = page->items.back().id;
    }
    return all;
  }

  static std::vector<std::string> TypesOf(const std::vector<Change>& changes) {
    std::vector<std::string> types;
    for (const Change& change : changes) types.emplace_back(ChangeTypeName(change.type));
    return types;
  }

  // A member of the change's data, as text ("" when absent or not a string).
  static std::string DataMember(const Change& change, std::string_view name) {
    const boost::json::value data = boost::json::parse(change.data);
    const boost::json::value* member = data.as_object().if_contains(name);
    return member != nullptr && member->is_string() ? std::string(member->get_string()) : "";
  }
};

TYPED_TEST_SUITE(ChangeLogTest, ::tt::testing::StoreBackends, BackendName);

TYPED_TEST(ChangeLogTest, EachWriteAppendsOneRecordInCommitOrderWithTheResourceAsData) {
  const Timestamp before = SystemClock().Now();
  Competition meet = this->AddCompetition("Prefontaine Classic", "2026-07-04", "2026-07-05");
  meet.name = "Prefontaine Classic 2026";
  meet.version = 2;
  ASSERT_OK(RunSync(this->store().UpdateCompetition(meet, 1)));
  const Athlete athlete = this->AddAthlete("Faith", "Kipyegon");
  const User fan = this->AddUser("fan");
  Event event = this->AddEvent(athlete, meet, "2026-07-04T18:00:00-07:00", "1500m");
  event.name = "1500m final";
  event.version = 2;
  ASSERT_OK(RunSync(this->store().UpdateEvent(event, 1)));
  ASSERT_OK(RunSync(this->store().Follow(fan.id, athlete.id, At(10))));
  ASSERT_OK(RunSync(this->store().Follow(fan.id, athlete.id, At(20))));  // changes nothing
  ASSERT_OK(RunSync(this->store().Unfollow(fan.id, athlete.id)));
  ASSERT_OK(RunSync(this->store().Unfollow(fan.id, athlete.id)));  // changes nothing
  ASSERT_OK(RunSync(this->store().DeleteEvent(event.id, std::nullopt)));
  ASSERT_OK(RunSync(this->store().DeleteCompetition(meet.id, std::nullopt)));
  ASSERT_OK(RunSync(this->store().DeleteAthlete(athlete.id, std::nullopt)));
  ASSERT_OK(RunSync(this->store().DeleteUser(fan.id, std::nullopt)));
  const Timestamp after = SystemClock().Now();

  const std::vector<Change> changes = this->AllChanges();
  EXPECT_EQ(this->TypesOf(changes),
            (std::vector<std::string>{"competition.created", "competition.updated", "event.created",
                                      "event.updated", "follow.created", "follow.deleted",
                                      "event.deleted", "competition.deleted", "athlete.deleted",
                                      "user.deleted"}));
  ASSERT_EQ(changes.size(), 10U);
  for (size_t i = 0; i < changes.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(changes[i].id, changes[i - 1].id);
    }
    EXPECT_GE(changes[i].occurred_at, before);
    EXPECT_LE(changes[i].occurred_at, after);
  }
  EXPECT_EQ(this->DataMember(changes[0], "name"), "Prefontaine Classic");
  EXPECT_EQ(this->DataMember(changes[1], "name"), "Prefontaine Classic 2026");
  EXPECT_EQ(this->DataMember(changes[1], "id"), meet.id);
  EXPECT_EQ(this->DataMember(changes[3], "name"), "1500m final");
  EXPECT_EQ(this->DataMember(changes[3], "date_time"), "2026-07-04T18:00:00-07:00");
  EXPECT_EQ(this->DataMember(changes[4], "user_id"), fan.id);
  EXPECT_EQ(this->DataMember(changes[4], "athlete_id"), athlete.id);
  EXPECT_EQ(this->DataMember(changes[4], "followed_at"), FormatUtc(At(10)));
  EXPECT_EQ(this->DataMember(changes[5], "athlete_id"), athlete.id);
  EXPECT_EQ(changes[6].data, "{\"id\":\"" + event.id + "\"}");
  EXPECT_EQ(this->DataMember(changes[7], "id"), meet.id);
  EXPECT_EQ(this->DataMember(changes[8], "id"), athlete.id);
  EXPECT_EQ(this->DataMember(changes[9], "id"), fan.id);
}

TYPED_TEST(ChangeLogTest, WritesThatFailAppendNothing) {
  Competition meet = this->AddCompetition("Meet", "2026-07-04", "2026-07-05");
  const Athlete athlete = this->AddAthlete("Noah", "Lyles");
  const Event event = this->AddEvent(athlete, meet, "2026-07-04T18:00:00Z");
  const std::vector<Change> written = this->AllChanges();
  ASSERT_EQ(written.size(), 2U);

  meet.version = 2;
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateCompetition(meet, 7))), "precondition_failed");
  meet.start_date = D("2026-07-03");
  meet.end_date = D("2026-07-03");
  EXPECT_EQ(CodeOf(RunSync(this->store().UpdateCompetition(meet, 1))), "conflict");
  EXPECT_EQ(CodeOf(RunSync(this->store().CreateCompetition(meet))), "conflict");
  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteEvent(event.id, 5))), "precondition_failed");
  EXPECT_EQ(CodeOf(RunSync(this->store().DeleteEvent(this->NewId(), std::nullopt))), "not_found");
  EXPECT_EQ(CodeOf(RunSync(
                this->store().CreateEvent(this->MakeEvent(athlete, meet, "2026-08-01T10:00:00Z")))),
            "conflict");
  EXPECT_EQ(CodeOf(RunSync(this->store().Follow(athlete.id, this->NewId(), At(1)))), "not_found");

  EXPECT_EQ(this->AllChanges().size(), 2U);
}

TYPED_TEST(ChangeLogTest, PagesAfterAnIdNeitherMissNorRepeatAndIdsOutliveARestart) {
  for (int i = 0; i < 7; ++i)
    this->AddCompetition("Meet " + std::to_string(i), "2026-07-04", "2026-07-04");
  const std::vector<Change> all = this->AllChanges();
  ASSERT_EQ(all.size(), 7U);
  const std::vector<Change> paged = this->AllChanges(0, 3);
  ASSERT_EQ(paged.size(), 7U);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(paged[i].id, all[i].id);

  const std::vector<Change> tail = this->AllChanges(all[4].id);
  ASSERT_EQ(tail.size(), 2U);
  EXPECT_EQ(tail[0].id, all[5].id);
  EXPECT_TRUE(this->AllChanges(all.back().id).empty());

  this->Reopen();
  this->AddCompetition("After a restart", "2026-07-04", "2026-07-04");
  const std::vector<Change> newer = this->AllChanges(all.back().id);
  ASSERT_EQ(newer.size(), 1U);
  EXPECT_GT(newer[0].id, all.back().id);
}

TYPED_TEST(ChangeLogTest, RetentionForgetsOlderChangesAndIdsKeepGrowing) {
  this->AddCompetition("Old 1", "2026-07-04", "2026-07-04");
  this->AddCompetition("Old 2", "2026-07-04", "2026-07-04");
  const std::vector<Change> old = this->AllChanges();
  ASSERT_EQ(old.size(), 2U);

  Result<int64_t> none = RunSync(this->store().DeleteChangesBefore(old.front().occurred_at));
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
  Result<int64_t> removed = RunSync(
      this->store().DeleteChangesBefore(old.back().occurred_at + std::chrono::microseconds(1)));
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 2);
  EXPECT_TRUE(this->AllChanges().empty());

  this->AddCompetition("New", "2026-07-04", "2026-07-04");
  const std::vector<Change> now = this->AllChanges();
  ASSERT_EQ(now.size(), 1U);
  EXPECT_GT(now[0].id, old.back().id) << "an id is never given twice";
  EXPECT_EQ(this->AllChanges(old.front().id).size(), 1U) << "a cursor from before still works";
}

TYPED_TEST(ChangeLogTest, ConcurrentWritersGetOneRecordEachInIncreasingIds) {
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  std::vector<std::vector<Competition>> made(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      made[t].push_back(this->MakeCompetition("M" + std::to_string(t) + "-" + std::to_string(i),
                                              "2026-07-04", "2026-07-04"));
    }
  }
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const Competition& competition : made[t]) {
        if (!RunSync(this->store().CreateCompetition(competition)).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  const std::vector<Change> changes = this->AllChanges(0, 7);
  ASSERT_EQ(changes.size(), static_cast<size_t>(kThreads * kEach));
  std::set<std::string> names;
  for (size_t i = 0; i < changes.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(changes[i].id, changes[i - 1].id);
    }
    names.insert(this->DataMember(changes[i], "name"));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kThreads * kEach));
}

}  // namespace
}  // namespace tt
