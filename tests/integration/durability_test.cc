// Durability: a write the server answered with 2xx survives kill -9, however often it happens,
// and so does its change record.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "api_fixture.h"
#include "competition_writers.h"

namespace tt::testing {
namespace {

using Durability = ApiTest;

// PRAGMA integrity_check on the database file, as a fresh process would see it after a crash.
std::string IntegrityCheck(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  std::string result;
  sqlite3_exec(
      db, "PRAGMA integrity_check",
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) += values[0] == nullptr ? "" : values[0];
        return 0;
      },
      &result, nullptr);
  sqlite3_close(db);
  return result;
}

TEST_F(Durability, EveryAnsweredWriteSurvivesKillNineMidLoad) {
  Account owner = SignUp();
  std::vector<std::string> acknowledged;
  for (int round = 0; round < 3; ++round) {
    CompetitionWriters writers(server().port(), owner.token, 4, "Round " + std::to_string(round));
    // Let the writers get going, then crash the server under them.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline && writers.AcknowledgedCount() < 20) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    server().Kill();
    for (std::string& id : writers.Stop()) acknowledged.push_back(std::move(id));

    if (TestBackend() == Backend::kSqlite) {
      EXPECT_EQ(IntegrityCheck(server().db_path()), "ok") << "round " << round;
    }
    server().Restart();
    client_ = std::make_unique<HttpClient>(server().port());
    for (const std::string& id : acknowledged) {
      ASSERT_EQ(client().Get("/competitions/" + id).status, 200)
          << "round " << round << ": an acknowledged write is lost: " << id;
    }
  }
  EXPECT_GE(acknowledged.size(), 60u);

  // Each acknowledged write has exactly one change record, and each record is of a write that
  // happened (a write that was committed but not answered may have one too). On DynamoDB a writer
  // killed between reserving an id and writing its record leaves a hole that holds readers back
  // until the records after it are 10 s old (docs/DYNAMODB.md), so the log is read until it
  // holds every acknowledged write or 30 s have passed.
  Account admin = SignUp("admin");
  GrantAdmin(admin);
  std::map<std::string, int> created_records;
  const auto read_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    created_records.clear();
    std::string after = "0";
    for (int pages = 0; pages < 100; ++pages) {
      HttpResponse page = client().Get("/changes?limit=200&after=" + after, admin.token);
      ASSERT_EQ(page.status, 200) << page.body;
      const boost::json::value body = page.Json();
      for (const auto& change : body.at("items").as_array()) {
        if (Str(change.at("type")) == "competition.created") {
          ++created_records[Str(change.at("data").at("id"))];
        }
        after = Str(change.at("id"));
      }
      if (body.at("next_cursor").is_null()) break;
    }
    const bool complete =
        std::all_of(acknowledged.begin(), acknowledged.end(),
                    [&](const std::string& id) { return created_records.contains(id); });
    if (complete || std::chrono::steady_clock::now() > read_deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (const std::string& id : acknowledged) {
    EXPECT_EQ(created_records[id], 1) << "the change record of acknowledged write " << id;
  }
  for (const auto& [id, count] : created_records) {
    EXPECT_EQ(count, 1) << id;
    EXPECT_EQ(client().Get("/competitions/" + id).status, 200)
        << "a record of a write that is not there: " << id;
  }
}

TEST_F(Durability, AFullDiskAnswers503LosesNothingAndCorruptsNothing) {
  if (TestBackend() != Backend::kSqlite) GTEST_SKIP() << "a disk is an SQLite matter";
  Account owner = SignUp();
  const auto size = std::filesystem::file_size(server().db_path());
  // The log file counts too, so leave room for it; the database and WAL hit the limit first.
  server().RestartWithFileSizeLimit(size + 64 * 1024);
  client_ = std::make_unique<HttpClient>(server().port());
  std::vector<std::string> acknowledged;
  int unavailable = 0;
  for (int i = 0; i < 2000 && unavailable < 5; ++i) {
    HttpResponse created = client().Post(
        "/competitions",
        CompetitionBody(std::string(150, 'x') + std::to_string(i), "2027-05-01", "2027-05-02"),
        owner.token);
    if (created.status == 201) {
      acknowledged.push_back(Str(created.Json().at("id")));
    } else {
      ASSERT_EQ(created.status, 503) << created.body;
      EXPECT_EQ(ErrorCodeOf(created), "unavailable");
      EXPECT_TRUE(created.HasHeader("retry-after"));
      ++unavailable;
    }
  }
  ASSERT_EQ(unavailable, 5) << "the limit was never reached";
  EXPECT_EQ(client().Get("/healthz").status, 200) << "the server is still up";
  EXPECT_EQ(client().Get("/competitions/" + acknowledged.front()).status, 200);

  server().RestartWithFileSizeLimit(0);
  client_ = std::make_unique<HttpClient>(server().port());
  EXPECT_EQ(IntegrityCheck(server().db_path()), "ok");
  for (const std::string& id : acknowledged) {
    ASSERT_EQ(client().Get("/competitions/" + id).status, 200) << "lost: " << id;
  }
  EXPECT_EQ(
      client()
          .Post("/competitions", CompetitionBody("After", "2027-06-01", "2027-06-01"), owner.token)
          .status,
      201)
      << "writes work again once there is room";
}

}  // namespace
}  // namespace tt::testing
