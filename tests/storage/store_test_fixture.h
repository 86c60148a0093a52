// The fixture and helpers of the typed Store suite (store_test.cc, store_changes_test.cc): one
// store per test from each backend's factory (store_factories.h), with builders of valid values.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "storage/store.h"
#include "storage/store_factories.h"
#include "support/run_sync.h"

namespace tt {
// Each test file gets its own copy; nothing here is shared state.
namespace {

using ::tt::testing::RunSync;
using Ids = std::vector<std::string>;

// ---- Readable outcomes ----------------------------------------------------------------------

// "ok", or the wire name of the error code ("conflict"), so that failures read plainly.
std::string CodeOf(const Status& status) {
  return status.ok() ? "ok" : std::string(ErrorCodeName(status.error().code));
}
template <typename T>
std::string CodeOf(const Result<T>& result) {
  return result.ok() ? "ok" : std::string(ErrorCodeName(result.error().code));
}
std::string Describe(const Status& status) {
  return status.ok() ? "ok" : CodeOf(status) + ": " + status.error().message;
}
template <typename T>
std::string Describe(const Result<T>& result) {
  return result.ok() ? "ok" : CodeOf(result) + ": " + result.error().message;
}

#define EXPECT_OK(expr)                                   \
  do {                                                    \
    const auto& tt_outcome = (expr);                      \
    EXPECT_TRUE(tt_outcome.ok()) << Describe(tt_outcome); \
  } while (false)
#define ASSERT_OK(expr)                                   \
  do {                                                    \
    const auto& tt_outcome = (expr);                      \
    ASSERT_TRUE(tt_outcome.ok()) << Describe(tt_outcome); \
  } while (false)

// ---- Values -----------------------------------------------------------------------------------

Date D(std::string_view text) { return Date::Parse(text).value(); }
DateTime DT(std::string_view text) { return DateTime::Parse(text).value(); }
// A fixed instant plus `seconds`, so that tests never read a clock.
Timestamp At(int64_t seconds) { return Timestamp(std::chrono::seconds(1'780'000'000 + seconds)); }

// The ids of `items`, in order.
template <typename T>
Ids IdsOf(const std::vector<T>& items) {
  Ids ids;
  for (const T& item : items) ids.push_back(item.id);
  return ids;
}

// Every page of a list, following cursors: `list(query)` is the Store call (an awaitable of
// Result<Page<Item>>) and `cursor_of(item)` the cursor after an item. Fails on an error, on a
// page over the limit, and on an empty page that says more follow.
template <typename Item, typename Query, typename List, typename CursorOf>
std::vector<Item> AllPages(Query query, List list, CursorOf cursor_of) {
  std::vector<Item> all;
  for (int pages = 0; pages < 200; ++pages) {
    Result<Page<Item>> page = RunSync(list(query));
    EXPECT_OK(page);
    if (!page.ok()) break;
    EXPECT_LE(page->items.size(), static_cast<size_t>(query.limit));
    all.insert(all.end(), page->items.begin(), page->items.end());
    if (!page->has_more) break;
    EXPECT_FALSE(page->items.empty());
    if (page->items.empty()) break;
    query.after = cursor_of(page->items.back());
  }
  return all;
}

struct BackendName {
  template <typename Factory>
  static std::string GetName(int) {
    return std::string(Factory::kName);
  }
};

// ---- Fixture ----------------------------------------------------------------------------------

template <typename Factory>
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = factory_.Open();
    ASSERT_NE(store_, nullptr);
  }

  Store& store() { return *store_; }

  // A new store instance over the same data, as after a restart.
  void Reopen() {
    store_.reset();
    store_ = factory_.Open();
    ASSERT_NE(store_, nullptr);
  }

  // Ids in increasing order, shaped like the server's UUIDs.
  std::string NewId() {
    char text[40];
    std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012d", ++last_id_);
    return text;
  }

  User MakeUser(std::string username) {
    User user;
    user.id = NewId();
    user.username = std::move(username);
    user.display_name = "Display " + user.username;
    user.email = user.username + "@example.com";
    user.created_at = At(0);
    user.updated_at = At(0);
    return user;
  }
  User AddUser(std::string username) {
    User user = MakeUser(std::move(username));
    EXPECT_OK(RunSync(store().CreateUser(user, "hash-of-" + user.username)));
    return user;
  }

  Competition MakeCompetition(std::string name, std::string_view start, std::string_view end,
                              std::string location = "Eugene, OR",
                              std::optional<std::string> id = std::nullopt) {
    Competition competition;
    competition.id = id.has_value() ? *id : NewId();
    competition.name = std::move(name);
    competition.location = std::move(location);
    competition.start_date = D(start);
    competition.end_date = D(end);
    competition.created_at = At(1);
    competition.updated_at = At(1);
    return competition;
  }
  Competition AddCompetition(std::string name, std::string_view start, std::string_view end,
                             std::string location = "Eugene, OR",
                             std::optional<std::string> id = std::nullopt) {
    Competition competition =
        MakeCompetition(std::move(name), start, end, std::move(location), std::move(id));
    EXPECT_OK(RunSync(store().CreateCompetition(competition)));
    return competition;
  }

  Athlete MakeAthlete(const User& user, std::string first_name, std::string last_name) {
    Athlete athlete;
    athlete.id = user.id;
    athlete.username = user.username;
    athlete.first_name = std::move(first_name);
    athlete.last_name = std::move(last_name);
    athlete.created_at = At(2);
    athlete.updated_at = At(2);
    return athlete;
  }
  // A new user who is an athlete.
  Athlete AddAthlete(std::string first_name, std::string last_name) {
    const User user = AddUser("u" + std::to_string(last_id_ + 1));
    Athlete athlete = MakeAthlete(user, std::move(first_name), std::move(last_name));
    EXPECT_OK(RunSync(store().CreateAthlete(athlete)));
    return athlete;
  }

  Event MakeEvent(const Athlete& athlete, const Competition& competition,
                  std::string_view date_time, std::string name = "100m heats") {
    Event event;
    event.id = NewId();
    event.athlete_id = athlete.id;
    event.competition_id = competition.id;
    event.name = std::move(name);
    event.date_time = DT(date_time);
    event.created_at = At(3);
    event.updated_at = At(3);
    return event;
  }
  Event AddEvent(const Athlete& athlete, const Competition& competition, std::string_view date_time,
                 std::string name = "100m heats") {
    Event event = MakeEvent(athlete, competition, date_time, std::move(name));
    EXPECT_OK(RunSync(store().CreateEvent(event)));
    return event;
  }

  Session AddSession(const User& user, std::string token_hash, Timestamp expires_at = At(3600)) {
    Session session{std::move(token_hash), user.id, At(0), expires_at};
    EXPECT_OK(RunSync(store().CreateSession(session)));
    return session;
  }

  std::vector<Competition> AllCompetitionPages(CompetitionQuery query) {
    return AllPages<Competition>(
        query, [&](const CompetitionQuery& q) { return store().ListCompetitions(q); },
        [](const Competition& last) {
          return CompetitionCursor{last.start_date, last.id};
        });
  }

  Factory factory_;
  std::unique_ptr<Store> store_;
  int last_id_ = 0;
};

}  // namespace
}  // namespace tt
