// GroupCommitter: many writers' jobs in one transaction, each rolled back alone when it fails,
// and none reported written unless its batch was committed.
#include "storage/sqlite/group_commit.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace tt::sqlite {
namespace {

namespace asio = boost::asio;
using ::tt::testing::TempDir;

class GroupCommitTest : public ::testing::Test {
 protected:
  GroupCommitTest() : logger_(LogLevel::kOff) {
    path_ = (dir_.path() / "t.db").string();
    std::unique_ptr<Connection> setup = Open();
    EXPECT_TRUE(setup->Exec("CREATE TABLE t (x TEXT PRIMARY KEY) STRICT").ok());
    committer_ = std::make_unique<GroupCommitter>(Open(), Open());
  }

  std::unique_ptr<Connection> Open() {
    Result<std::unique_ptr<Connection>> connection = Connection::Open(path_, logger_);
    EXPECT_TRUE(connection.ok());
    return std::move(*connection);
  }

  // A job that inserts `x` and then answers `fail` (an error) when given one.
  static std::function<Status(Connection&)> Insert(std::string x,
                                                   std::optional<Error> fail = std::nullopt) {
    return [x, fail](Connection& connection) -> Status {
      Result<Statement> insert = connection.Prepare("INSERT INTO t (x) VALUES (?1)");
      if (!insert.ok()) return std::move(insert).error();
      insert->Bind(1, x);
      if (Status run = insert->Run(); !run.ok()) return run;
      if (fail.has_value()) return *fail;
      return Status::Ok();
    };
  }

  // Starts `job` on io_, recording its outcome's code ("ok" or the error's) under `name`.
  void Spawn(std::string name, std::function<Status(Connection&)> job) {
    asio::co_spawn(
        io_,
        [](GroupCommitter& committer, std::function<Status(Connection&)> body,
           std::string* outcome) -> asio::awaitable<void> {
          Status status = co_await committer.Run(std::move(body));
          *outcome = status.ok() ? "ok" : std::string(ErrorCodeName(status.error().code));
        }(*committer_, std::move(job), &outcomes_[name]),
        asio::detached);
  }

  // Holds the committer in a first batch of its own until the returned promise is set, so that
  // the jobs spawned meanwhile all land in the next batch.
  std::promise<void> BlockCommitter() {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    auto started = std::make_shared<std::promise<void>>();
    std::future<void> running = started->get_future();
    Spawn("blocker", [released, started](Connection&) -> Status {
      started->set_value();
      released.wait();
      return Status::Ok();
    });
    while (running.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) io_.poll();
    return release;
  }

  std::vector<std::string> Rows() {
    std::unique_ptr<Connection> reader = Open();
    Result<Statement> select = reader->Prepare("SELECT x FROM t ORDER BY x");
    std::vector<std::string> rows;
    while (true) {
      Result<bool> row = select->Step();
      EXPECT_TRUE(row.ok());
      if (!row.ok() || !*row) break;
      rows.push_back(select->Text(0));
    }
    return rows;
  }

  TempDir dir_;
  std::string path_;
  Logger logger_;
  std::unique_ptr<GroupCommitter> committer_;
  asio::io_context io_;
  std::map<std::string, std::string> outcomes_;
};

TEST_F(GroupCommitTest, JobsQueuedTogetherShareOneCommitAndAFailingOneIsRolledBackAlone) {
  std::promise<void> release = BlockCommitter();
  Spawn("a", Insert("a"));
  Spawn("b", Insert("b", Error::Conflict("b changed its mind")));
  Spawn("c", Insert("c"));
  Spawn("a again", Insert("a"));  // sees a's uncommitted row: a primary key conflict
  Spawn("throws", [](Connection& connection) -> Status {
    EXPECT_TRUE(Insert("d")(connection).ok());
    throw std::runtime_error("a bug");
  });
  io_.poll();  // every job is queued now
  release.set_value();
  io_.run();

  EXPECT_EQ(outcomes_["blocker"], "ok");
  EXPECT_EQ(outcomes_["a"], "ok");
  EXPECT_EQ(outcomes_["b"], "conflict");
  EXPECT_EQ(outcomes_["c"], "ok");
  EXPECT_EQ(outcomes_["a again"], "conflict");
  EXPECT_EQ(outcomes_["throws"], "internal");
  EXPECT_EQ(Rows(), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(committer_->batches(), 2U);
  EXPECT_EQ(committer_->jobs(), 6U);
}

TEST_F(GroupCommitTest, TheObserverHearsTheCommittedJobsNotesAfterCommitBeforeAnyAnswer) {
  std::vector<std::vector<std::string>> heard;
  std::vector<std::string> rows_when_heard;
  committer_->SetCommitObserver([&](const std::vector<std::string>& changed) {
    heard.push_back(changed);
    rows_when_heard = Rows();  // committed already, from another connection
    EXPECT_TRUE(outcomes_.count("a") == 0 || outcomes_["a"].empty()) << "no job answered yet";
  });
  std::promise<void> release = BlockCommitter();
  auto noting = [this](std::string key, std::optional<Error> failure = std::nullopt) {
    return [this, key, failure](Connection& connection) -> Status {
      committer_->NoteChanged(key);
      return Insert(key, failure)(connection);
    };
  };
  Spawn("a", noting("a"));
  Spawn("b", noting("b", Error::Conflict("rolled back")));
  Spawn("c", noting("c"));
  io_.poll();
  release.set_value();
  io_.run();
  ASSERT_EQ(heard.size(), 1U) << "the blocker noted nothing";
  EXPECT_EQ(heard[0], (std::vector<std::string>{"a", "c"})) << "a failed job's note is dropped";
  EXPECT_EQ(rows_when_heard, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(outcomes_["a"], "ok");
}

TEST_F(GroupCommitTest, WhenSqliteEndsTheTransactionNoJobOfTheBatchIsReportedWritten) {
  std::promise<void> release = BlockCommitter();
  Spawn("a", Insert("a"));
  // What SQLite does on its own after some I/O errors (a full disk): the whole transaction is
  // rolled back under the batch.
  Spawn("loses it", [](Connection& connection) -> Status {
    EXPECT_TRUE(connection.Exec("ROLLBACK").ok());
    return Error::Unavailable("disk full");
  });
  Spawn("c", Insert("c"));
  io_.poll();
  release.set_value();
  io_.run();

  EXPECT_EQ(outcomes_["a"], "unavailable");
  EXPECT_EQ(outcomes_["loses it"], "unavailable");
  EXPECT_EQ(outcomes_["c"], "unavailable");
  EXPECT_TRUE(Rows().empty());

  // The committer goes on with the next batch.
  Spawn("d", Insert("d"));
  io_.restart();
  io_.run();
  EXPECT_EQ(outcomes_["d"], "ok");
  EXPECT_EQ(Rows(), (std::vector<std::string>{"d"}));
}

TEST_F(GroupCommitTest, ManyThreadsWritingAtOnceAllCommit) {
  constexpr int kThreads = 4;
  constexpr int kWritesPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      asio::io_context io;
      for (int i = 0; i < kWritesPerThread; ++i) {
        asio::co_spawn(
            io,
            [](GroupCommitter& committer, std::string x, int* failed) -> asio::awaitable<void> {
              Status status = co_await committer.Run(Insert(std::move(x)));
              if (!status.ok()) ++*failed;
            }(*committer_, std::to_string(t) + "-" + std::to_string(i), &failures[t]),
            asio::detached);
      }
      io.run();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int failed : failures) EXPECT_EQ(failed, 0);
  EXPECT_EQ(Rows().size(), static_cast<size_t>(kThreads * kWritesPerThread));
  EXPECT_EQ(committer_->jobs(), static_cast<uint64_t>(kThreads * kWritesPerThread));
}

// The writer's automatic checkpoint is replaced by the checkpointer thread: once the WAL
// passes kCheckpointPages, a checkpoint runs (and the data stays readable throughout).
TEST_F(GroupCommitTest, AGrowingWalIsCheckpointedBesideTheWrites) {
  asio::co_spawn(
      io_,
      [](GroupCommitter& committer) -> asio::awaitable<void> {
        // One commit per write, each adding at least one page to the WAL.
        for (int i = 0; i < GroupCommitter::kCheckpointPages + 100; ++i) {
          Status status = co_await committer.Run(Insert("row " + std::to_string(i)));
          EXPECT_TRUE(status.ok());
        }
      }(*committer_),
      asio::detached);
  io_.run();
  for (int waited_ms = 0; committer_->checkpoints() == 0 && waited_ms < 10'000; waited_ms += 10) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(committer_->checkpoints(), 1U);
  EXPECT_EQ(Rows().size(), static_cast<size_t>(GroupCommitter::kCheckpointPages + 100));
}

// The WAL is started over rather than growing with every write. (Here, with no reader in the
// way, the background checkpoints may finish first and let SQLite start it over; under a steady
// stream of reads and writes the committer's RESTART does it, which the bench shows.)
TEST_F(GroupCommitTest, TheWalIsStartedOverInsteadOfGrowingWithoutEnd) {
  constexpr int kWrites = GroupCommitter::kRestartPages + 500;
  asio::co_spawn(
      io_,
      [](GroupCommitter& committer) -> asio::awaitable<void> {
        for (int i = 0; i < kWrites; ++i) {
          Status status = co_await committer.Run(Insert("row " + std::to_string(i)));
          EXPECT_TRUE(status.ok());
        }
      }(*committer_),
      asio::detached);
  io_.run();
  // What the WAL holds now: fewer frames than the writes made, each of which added one or more.
  std::unique_ptr<Connection> reader = Open();
  Result<Statement> frames = reader->Prepare("PRAGMA wal_checkpoint(PASSIVE)");
  ASSERT_TRUE(frames.ok());
  Result<bool> row = frames->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_LT(frames->Int(1), kWrites);
  EXPECT_EQ(Rows().size(), static_cast<size_t>(kWrites));
}

// Another process holding SQLite's write lock past busy_timeout and the retries: the batch
// answers unavailable, writes nothing, and the next batch works once the lock is gone.
TEST_F(GroupCommitTest, AWriteLockHeldElsewhereFailsTheBatchAsUnavailable) {
  std::unique_ptr<Connection> other_process = Open();
  ASSERT_TRUE(other_process->Exec("BEGIN IMMEDIATE").ok());
  Spawn("blocked", Insert("blocked"));
  io_.run();
  EXPECT_EQ(outcomes_["blocked"], "unavailable");
  ASSERT_TRUE(other_process->Exec("ROLLBACK").ok());

  Spawn("after", Insert("after"));
  io_.restart();
  io_.run();
  EXPECT_EQ(outcomes_["after"], "ok");
  EXPECT_EQ(Rows(), (std::vector<std::string>{"after"}));
}

}  // namespace
}  // namespace tt::sqlite
