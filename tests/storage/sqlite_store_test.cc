// What only the SQLite backend promises: how its file is opened, migrated and shared, and how
// SQLite's result codes are translated. The Store contract itself is in store_test.cc.
#include "storage/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/change_encoder.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/rows.h"
#include "storage/sqlite/schema.h"
#include "support/log_file.h"
#include "support/run_sync.h"
#include "support/stale_reads.h"
#include "support/store_counters.h"
#include "support/temp_dir.h"

namespace tt {
namespace {

using ::tt::testing::RunSync;
using ::tt::testing::TempDir;

// A plain SQLite connection beside the store's, as another process (a backup, the sqlite3
// shell) would hold one.
class RawDatabase {
 public:
  explicit RawDatabase(const std::filesystem::path& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDatabase() { sqlite3_close(db_); }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  void Exec(const std::string& sql) {
    char* message = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
        << sql << ": " << (message != nullptr ? message : "");
    sqlite3_free(message);
  }
  // The first column of the first row of `sql`, as text.
  std::string Query(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sql;
    std::string value;
    if (sqlite3_step(statement) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(statement, 0);
      if (text != nullptr) value = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(statement);
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<SqliteStore>> Open(const std::filesystem::path& path) {
    return SqliteStore::Open(
        SqliteStoreOptions{.path = path.string(), .change_encoder = api::MakeChangeEncoder()},
        logger_);
  }
  std::filesystem::path DatabasePath() const { return dir_.path() / "tt.db"; }

  static User MakeUser(std::string id, std::string username) {
    User user;
    user.id = std::move(id);
    user.username = std::move(username);
    user.display_name = user.username;
    return user;
  }

  TempDir dir_;
  // Off: several tests provoke failures on purpose, and their logging is not under test.
  Logger logger_{LogLevel::kOff};
};

TEST_F(SqliteStoreTest, OpenCreatesTheFileAndItsParentDirectoriesAtTheLatestSchema) {
  const std::filesystem::path path = dir_.path() / "a" / "b" / "tt.db";
  Result<std::unique_ptr<SqliteStore>> store = Open(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ((*store)->schema_version(), sqlite::LatestSchemaVersion());
  EXPECT_TRUE(RunSync((*store)->Ping()).ok());
}

TEST_F(SqliteStoreTest, ReopeningKeepsDataAndAppliesNoMigrationTwice) {
  {
    Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(RunSync((*store)->CreateUser(MakeUser("id-1", "alice"), "hash")).ok());
  }
  std::string tables_before;
  {
    RawDatabase raw(DatabasePath());
    tables_before = raw.Query("SELECT group_concat(name) FROM sqlite_schema");
  }
  for (int i = 0; i < 2; ++i) {
    Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_EQ((*store)->schema_version(), sqlite::LatestSchemaVersion());
    EXPECT_TRUE(RunSync((*store)->GetUser("id-1")).ok());
  }
  RawDatabase raw(DatabasePath());
  EXPECT_EQ(raw.Query("PRAGMA user_version"), std::to_string(sqlite::LatestSchemaVersion()));
  EXPECT_EQ(raw.Query("SELECT group_concat(name) FROM sqlite_schema"), tables_before);
}

TEST_F(SqliteStoreTest, TheFileUsesTheWriteAheadLog) {
  Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
  ASSERT_TRUE(store.ok()) << store.error().message;
  RawDatabase raw(DatabasePath());
  EXPECT_EQ(raw.Query("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, ConnectionsAreConfiguredForDurabilityAndIntegrity) {
  Result<std::unique_ptr<sqlite::Connection>> connection =
      sqlite::Connection::Open(DatabasePath().string(), logger_);
  ASSERT_TRUE(connection.ok()) << connection.error().message;
  auto pragma = [&](const char* sql) {
    Result<sqlite::Statement> statement = (*connection)->Prepare(sql);
    EXPECT_TRUE(statement.ok());
    if (!statement.ok() || !statement->Step().ok()) return std::string();
    return statement->Text(0);
  };
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma("PRAGMA synchronous"), "2") << "FULL";
  EXPECT_EQ(pragma("PRAGMA foreign_keys"), "1");
  EXPECT_NE(pragma("PRAGMA busy_timeout"), "0");
}

TEST_F(SqliteStoreTest, AConnectionsPageCacheIsTheSizeAskedForOrSqlitesDefault) {
  auto cache_size = [&](int64_t page_cache_kib) {
    Result<std::unique_ptr<sqlite::Connection>> connection =
        sqlite::Connection::Open(DatabasePath().string(), logger_, page_cache_kib);
    EXPECT_TRUE(connection.ok());
    if (!connection.ok()) return std::string();
    Result<sqlite::Statement> statement = (*connection)->Prepare("PRAGMA cache_size");
    if (!statement.ok() || !statement->Step().ok()) return std::string();
    return statement->Text(0);
  };
  EXPECT_EQ(cache_size(0), "-2000") << "SQLite's default, 2,000 KiB";
  EXPECT_EQ(cache_size(25600), "-25600") << "KiB";
}

TEST_F(SqliteStoreTest, ThePageCacheBudgetIsSharedByTheConnectionsAndShowsOnTheCounters) {
  // 4 pool connections and the writer share 10 MiB: 2 MiB each.
  Result<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open(SqliteStoreOptions{.path = DatabasePath().string(),
                                           .pool_size = 4,
                                           .page_cache_bytes = size_t{10} << 20,
                                           .change_encoder = api::MakeChangeEncoder()},
                        logger_);
  ASSERT_TRUE(store.ok()) << store.error().message;
  std::map<std::string, StoreCounter> counters;
  for (const StoreCounter& counter : (*store)->Counters()) counters[counter.name] = counter;
  ASSERT_TRUE(counters.contains("tt_sqlite_page_cache_budget_bytes"));
  EXPECT_EQ(counters["tt_sqlite_page_cache_budget_bytes"].value, uint64_t{10} << 20);
  EXPECT_TRUE(counters["tt_sqlite_page_cache_budget_bytes"].gauge);
  ASSERT_TRUE(counters.contains("tt_sqlite_memory_bytes"));
  EXPECT_GT(counters["tt_sqlite_memory_bytes"].value, 0U) << "the open connections hold memory";
  EXPECT_TRUE(counters["tt_sqlite_memory_bytes"].gauge);

  Result<std::unique_ptr<SqliteStore>> default_cache =
      SqliteStore::Open(SqliteStoreOptions{.path = (dir_.path() / "default.db").string(),
                                           .page_cache_bytes = 0,
                                           .change_encoder = api::MakeChangeEncoder()},
                        logger_);
  ASSERT_TRUE(default_cache.ok()) << default_cache.error().message;
  EXPECT_EQ(
      testing::CounterValue((*default_cache)->Counters(), "tt_sqlite_page_cache_budget_bytes"), 0U);
}

TEST(SqliteTextSet, HoldsWhatWasInsertedAndNothingElseAcrossGrowth) {
  sqlite::TextSet set;
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.Contains(""));
  for (int i = 0; i < 1000; ++i) set.Insert("athlete-" + std::to_string(i));
  set.Insert("athlete-7");  // again
  set.Insert("");
  EXPECT_EQ(set.size(), 1001U);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(set.Contains("athlete-" + std::to_string(i))) << i;
  EXPECT_TRUE(set.Contains(""));
  EXPECT_FALSE(set.Contains("athlete-1000"));
  EXPECT_FALSE(set.Contains("athlete-"));
  EXPECT_FALSE(set.Contains("athlete-10000"));
}

TEST_F(SqliteStoreTest, SqlTestsMembershipInABoundTextSet) {
  Result<std::unique_ptr<sqlite::Connection>> connection =
      sqlite::Connection::Open(DatabasePath().string(), logger_);
  ASSERT_TRUE(connection.ok()) << connection.error().message;
  sqlite::TextSet set;
  set.Insert("ab");
  set.Insert("c\xc3\xa9");  // UTF-8, compared as bytes
  auto in_set = [&](const char* sql, bool bind_set) {
    Result<sqlite::Statement> statement = (*connection)->Prepare(sql);
    EXPECT_TRUE(statement.ok());
    if (!statement.ok()) return std::string("prepare failed");
    if (bind_set) statement->Bind(1, set);
    Result<bool> row = statement->Step();
    if (!row.ok() || !*row) return std::string("no row");
    return statement->IsNull(0) ? std::string("NULL") : std::to_string(statement->Int(0));
  };
  EXPECT_EQ(in_set("SELECT tt_in_set(?1, 'ab')", true), "1");
  EXPECT_EQ(in_set("SELECT tt_in_set(?1, 'c' || char(233))", true), "1");
  EXPECT_EQ(in_set("SELECT tt_in_set(?1, 'a')", true), "0");
  EXPECT_EQ(in_set("SELECT tt_in_set(?1, NULL)", true), "NULL");
  // Anything but a set bound through Statement::Bind reads as no set, never as memory.
  EXPECT_EQ(in_set("SELECT tt_in_set(?1, 'ab')", false), "NULL");
  EXPECT_EQ(in_set("SELECT tt_in_set('ab', 'ab')", false), "NULL");
}

TEST_F(SqliteStoreTest, WritesAnsweredBeforeTheProcessIsKilledSurviveIt) {
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child writes users as fast as it can and reports each one answered OK.
    close(acks[0]);
    Logger quiet(LogLevel::kOff);
    Result<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(SqliteStoreOptions{.path = DatabasePath().string(),
                                             .change_encoder = api::MakeChangeEncoder()},
                          quiet);
    if (!store.ok()) _exit(1);
    for (int i = 0;; ++i) {
      const std::string id = "id-" + std::to_string(i);
      if (!RunSync((*store)->CreateUser(MakeUser(id, "user" + std::to_string(i)), "h")).ok()) {
        _exit(2);
      }
      if (write(acks[1], &i, sizeof i) != sizeof i) _exit(3);
    }
  }
  close(acks[1]);
  int last_acked = -1;
  for (int received = 0; received < 25; ++received) {
    ASSERT_EQ(read(acks[0], &last_acked, sizeof last_acked),
              static_cast<ssize_t>(sizeof last_acked));
  }
  kill(child, SIGKILL);
  int wait_status = 0;
  waitpid(child, &wait_status, 0);
  close(acks[0]);
  ASSERT_TRUE(WIFSIGNALED(wait_status));

  Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
  ASSERT_TRUE(store.ok()) << store.error().message;
  for (int i = 0; i <= last_acked; ++i) {
    EXPECT_TRUE(RunSync((*store)->GetUser("id-" + std::to_string(i))).ok()) << i;
  }
}

TEST_F(SqliteStoreTest, AnsweredWriteIsVisibleToAnotherConnectionAtOnce) {
  Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE(RunSync((*store)->CreateUser(MakeUser("id-1", "Alice"), "hash")).ok());
  RawDatabase raw(DatabasePath());
  EXPECT_EQ(raw.Query("SELECT username_key FROM users WHERE id = 'id-1'"), "alice");
}

TEST_F(SqliteStoreTest, OpenFailsAsUnavailableWhenTheDirectoryCannotBeCreated) {
  // A regular file where the directory should be; this fails even for root.
  const std::filesystem::path blocker = dir_.path() / "blocker";
  std::ofstream(blocker) << "not a directory";
  Result<std::unique_ptr<SqliteStore>> store = Open(blocker / "tt.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(store.error().message.find(blocker.string()), std::string::npos)
      << store.error().message;
}

TEST_F(SqliteStoreTest, OpenFailsAsUnavailableWhenThePathIsADirectory) {
  std::filesystem::create_directories(DatabasePath());
  Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
}

TEST_F(SqliteStoreTest, OpenFailsAsInternalWhenTheFileIsNotADatabase) {
  std::ofstream(DatabasePath()) << std::string(8192, 'x');
  Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInternal);
  EXPECT_NE(store.error().message.find("not a database"), std::string::npos)
      << store.error().message;
  EXPECT_NE(store.error().message.find(DatabasePath().string()), std::string::npos);
}

TEST_F(SqliteStoreTest, OpenRefusesAFileWrittenByANewerSchema) {
  {
    RawDatabase raw(DatabasePath());
    raw.Exec("PRAGMA user_version = " + std::to_string(sqlite::LatestSchemaVersion() + 1));
  }
  Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInternal);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
}

TEST_F(SqliteStoreTest, MalformedStoredValueAnswersInternalWithoutDetails) {
  Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
  ASSERT_TRUE(store.ok()) << store.error().message;
  Competition competition;
  competition.id = "c-1";
  competition.name = "Meet";
  competition.location = "Oslo";
  competition.start_date = Date::Parse("2026-06-01").value();
  competition.end_date = Date::Parse("2026-06-02").value();
  ASSERT_TRUE(RunSync((*store)->CreateCompetition(competition)).ok());
  {
    RawDatabase raw(DatabasePath());
    raw.Exec("UPDATE competitions SET start_date = 'June first' WHERE id = 'c-1'");
  }
  Result<Competition> read = RunSync((*store)->GetCompetition("c-1"));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kInternal);
  EXPECT_EQ(read.error().message.find("June"), std::string::npos);
}

// A change record of a type this version does not know (a newer version's, or a damaged file)
// is an internal error that the log explains, as on DynamoDB.
TEST_F(SqliteStoreTest, AChangeOfAnUnknownTypeIsAnInternalErrorTheLogNames) {
  ::tt::testing::LogFile log;
  Logger logger(LogLevel::kWarn, log.get());
  Result<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open(SqliteStoreOptions{.path = DatabasePath().string(),
                                           .change_encoder = api::MakeChangeEncoder()},
                        logger);
  ASSERT_TRUE(store.ok()) << store.error().message;
  {
    RawDatabase raw(DatabasePath());
    raw.Exec("INSERT INTO changes (type, occurred_at, data) VALUES ('meet.exploded', 0, '{}')");
  }
  Result<Page<Change>> read = RunSync((*store)->ListChanges({.after = 0, .limit = 10}));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kInternal);
  const std::string logged = log.Text();
  EXPECT_NE(logged.find("malformed stored change in column 1"), std::string::npos) << logged;
}

TEST_F(SqliteStoreTest, WriteWaitsOutAnotherConnectionsWriteLock) {
  Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
  ASSERT_TRUE(store.ok()) << store.error().message;
  RawDatabase other(DatabasePath());
  other.Exec("BEGIN IMMEDIATE");
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    other.Exec("COMMIT");
  });
  const Status status = RunSync((*store)->CreateUser(MakeUser("id-1", "alice"), "hash"));
  releaser.join();
  EXPECT_TRUE(status.ok()) << status.error().message;
}

// ---- The competition cache (sqlite/competition_cache.h) ----------------------------------------

Competition MakeCompetition(std::string id, std::optional<std::string> created_by) {
  Competition competition;
  competition.id = std::move(id);
  competition.name = "Bislett Games";
  competition.location = "Oslo";
  competition.start_date = *Date::Parse("2027-06-10");
  competition.end_date = *Date::Parse("2027-06-11");
  competition.created_by = std::move(created_by);
  return competition;
}

// The cache's promise, checked exactly: once UpdateCompetition has answered version v, no read
// (single or batch) from any thread answers a version older than v, while readers hammer the
// cache and fill it with what they read.
TEST_F(SqliteStoreTest, NoReadSeesACompetitionOlderThanAnAnsweredWrite) {
  Result<std::unique_ptr<SqliteStore>> opened = Open(DatabasePath());
  ASSERT_TRUE(opened.ok());
  SqliteStore& store = **opened;
  const std::string id = "00000000-0000-4000-8000-000000000001";
  Competition competition = MakeCompetition(id, std::nullopt);
  ASSERT_TRUE(RunSync(store.CreateCompetition(competition)).ok());

  constexpr int64_t kWrites = 300;
  const std::vector<std::string> ids = {id};
  const testing::StaleReads counted = testing::CountStaleReads(
      4, kWrites,
      [&](int reader) -> int64_t {
        if (reader % 2 == 0) {
          Result<Competition> read = RunSync(store.GetCompetition(id));
          return read.ok() ? read->version : 0;
        }
        Result<std::vector<Competition>> read = RunSync(store.GetCompetitions(ids));
        return read.ok() && read->size() == 1 ? (*read)[0].version : 0;
      },
      [&](int64_t version) {
        competition.version = version;
        competition.name = "Bislett Games " + std::to_string(version);
        return RunSync(store.UpdateCompetition(competition, version - 1)).ok();
      });
  EXPECT_EQ(counted.stale, 0) << "of " << counted.reads << " reads";
  Result<Competition> last = RunSync(store.GetCompetition(id));
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->version, kWrites);
  EXPECT_EQ(last->name, "Bislett Games " + std::to_string(kWrites));
  // The cache was used, and shows on the counters.
  EXPECT_GT(testing::CounterValue(store.Counters(), "tt_sqlite_competition_cache_hits_total"), 0U);
}

TEST_F(SqliteStoreTest, CachedCompetitionsFollowDeletesAndTheirCreatorsDeletion) {
  Result<std::unique_ptr<SqliteStore>> opened = Open(DatabasePath());
  ASSERT_TRUE(opened.ok());
  SqliteStore& store = **opened;
  const User user = MakeUser("00000000-0000-4000-8000-0000000000aa", "organiser");
  ASSERT_TRUE(RunSync(store.CreateUser(user, "hash")).ok());
  const std::string kept = "00000000-0000-4000-8000-000000000001";
  const std::string gone = "00000000-0000-4000-8000-000000000002";
  ASSERT_TRUE(RunSync(store.CreateCompetition(MakeCompetition(kept, user.id))).ok());
  ASSERT_TRUE(RunSync(store.CreateCompetition(MakeCompetition(gone, user.id))).ok());
  ASSERT_EQ(RunSync(store.GetCompetition(kept))->created_by, user.id);  // now cached
  ASSERT_TRUE(RunSync(store.GetCompetition(gone)).ok());

  ASSERT_TRUE(RunSync(store.DeleteCompetition(gone, std::nullopt)).ok());
  EXPECT_EQ(RunSync(store.GetCompetition(gone)).error().code, ErrorCode::kNotFound);
  // Deleting the creator clears created_by of its competitions in SQLite (a foreign key).
  ASSERT_TRUE(RunSync(store.DeleteUser(user.id, std::nullopt)).ok());
  EXPECT_EQ(RunSync(store.GetCompetition(kept))->created_by, std::nullopt);
  const std::vector<std::string> both = {kept, gone};
  Result<std::vector<Competition>> batch = RunSync(store.GetCompetitions(both));
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 1U);
  EXPECT_EQ((*batch)[0].created_by, std::nullopt);
}

TEST(SqliteErrorTranslation, MapsResultCodesToStoreErrors) {
  EXPECT_EQ(sqlite::ErrorFromResultCode(SQLITE_CONSTRAINT_UNIQUE).code, ErrorCode::kConflict);
  EXPECT_EQ(sqlite::ErrorFromResultCode(SQLITE_CONSTRAINT_PRIMARYKEY).code, ErrorCode::kConflict);
  EXPECT_EQ(sqlite::ErrorFromResultCode(SQLITE_CONSTRAINT_FOREIGNKEY).code, ErrorCode::kNotFound);
  EXPECT_EQ(sqlite::ErrorFromResultCode(SQLITE_CONSTRAINT_NOTNULL).code, ErrorCode::kInternal);
  for (int code : {SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED, SQLITE_FULL, SQLITE_READONLY,
                   SQLITE_IOERR, SQLITE_IOERR_FSYNC, SQLITE_CANTOPEN}) {
    const Error error = sqlite::ErrorFromResultCode(code);
    EXPECT_EQ(error.code, ErrorCode::kUnavailable) << code;
    EXPECT_TRUE(error.retry_after_seconds.has_value()) << code;
  }
  for (int code : {SQLITE_ERROR, SQLITE_CORRUPT, SQLITE_MISUSE, SQLITE_NOTADB, SQLITE_MISMATCH}) {
    EXPECT_EQ(sqlite::ErrorFromResultCode(code).code, ErrorCode::kInternal) << code;
  }
  EXPECT_TRUE(sqlite::IsContention(SQLITE_BUSY_RECOVERY));
  EXPECT_TRUE(sqlite::IsContention(SQLITE_LOCKED_SHAREDCACHE));
  EXPECT_FALSE(sqlite::IsContention(SQLITE_IOERR));
}

TEST(SqlitePrefixUpperBound, IsTheLeastStringAboveEveryExtension) {
  EXPECT_EQ(sqlite::PrefixUpperBound("kip"), "kiq");
  EXPECT_EQ(sqlite::PrefixUpperBound("a\xff\xff"), "b");
  EXPECT_EQ(sqlite::PrefixUpperBound("\xc3\xa9"), "\xc3\xaa");
  EXPECT_EQ(sqlite::PrefixUpperBound("\xff"), std::nullopt);
  EXPECT_EQ(sqlite::PrefixUpperBound(""), std::nullopt);
}

TEST_F(SqliteStoreTest, OpeningWithoutAChangeEncoderIsRefused) {
  Result<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open(SqliteStoreOptions{.path = DatabasePath().string()}, logger_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInternal);
  EXPECT_EQ(store.error().message, "the store has no change encoder");
}

// A change row that is not what the store writes (an unknown type) is answered kInternal, never
// skipped.
TEST_F(SqliteStoreTest, AChangeRowOfAnUnknownTypeIsAnError) {
  Result<std::unique_ptr<SqliteStore>> store = Open(DatabasePath());
  ASSERT_TRUE(store.ok()) << store.error().message;
  RawDatabase(DatabasePath())
      .Exec(
          "INSERT INTO changes (type, occurred_at, data) VALUES ('competition.renamed', 0, '{}')");
  Result<Page<Change>> page = RunSync((*store)->ListChanges({.after = 0, .limit = 10}));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace tt
