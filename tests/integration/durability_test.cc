// Durability: a write the server answered with 2xx survives kill -9, however often it happens.
#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "api_fixture.h"

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
    std::mutex mutex;
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    const uint16_t port = server().port();
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        HttpClient writer(port);
        for (int i = 0; !stop; ++i) {
          try {
            HttpResponse created =
                writer.Post("/competitions",
                            CompetitionBody("Round " + std::to_string(round) + " writer " +
                                                std::to_string(w) + " #" + std::to_string(i),
                                            "2027-05-01", "2027-05-02"),
                            owner.token);
            if (created.status == 201) {
              std::lock_guard lock(mutex);
              acknowledged.push_back(Str(created.Json().at("id")));
            }
          } catch (const std::exception&) {
            // The server died mid-request: that write was never acknowledged.
          }
        }
      });
    }
    // Let the writers get going, then crash the server under them.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex);
        if (acknowledged.size() >= static_cast<size_t>(20 * (round + 1))) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    server().Kill();
    stop = true;
    for (std::thread& writer : writers) writer.join();

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
}

}  // namespace
}  // namespace tt::testing
