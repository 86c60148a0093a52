#include "storage/sqlite/group_commit.h"

#include <chrono>
#include <exception>
#include <string>

namespace tt::sqlite {
namespace {

// BEGIN IMMEDIATE waits busy_timeout for another process's write lock, then the batch is tried
// this many times in all, as single transactions were.
constexpr int kMaxBeginAttempts = 3;
// How soon a checkpoint that could not copy every frame is tried again.
constexpr std::chrono::milliseconds kCheckpointRetry{100};
// The WAL file is cut back to this when SQLite starts it over, so that a burst of writes does not
// leave a large file behind.
constexpr char kWalSizeLimit[] = "PRAGMA journal_size_limit = 67108864";  // 64 MiB

}  // namespace

GroupCommitter::GroupCommitter(std::unique_ptr<Connection> writer,
                               std::unique_ptr<Connection> checkpointer, size_t max_batch)
    : connection_(std::move(writer)),
      max_batch_(max_batch > 0 ? max_batch : 1),
      checkpoint_connection_(std::move(checkpointer)),
      checkpoint_thread_([this] { CheckpointLoop(); }),
      thread_([this] { Loop(); }) {
  // Replaces SQLite's automatic checkpoint (sqlite3_wal_autocheckpoint installs a hook too).
  sqlite3_wal_hook(connection_->handle(), &GroupCommitter::OnWalCommit, this);
  if (Status limited = connection_->Exec(kWalSizeLimit); !limited.ok()) {
    connection_->logger().Warn("sqlite: could not limit the WAL's size; it may stay large");
  }
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  thread_.join();
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_stopping_ = true;
  }
  checkpoint_wanted_.notify_one();
  checkpoint_thread_.join();
}

int GroupCommitter::OnWalCommit(void* self, sqlite3* db, const char* database, int pages) {
  if (pages >= kRestartPages) {
    // Called on the committer thread, between two batches, holding no transaction. A RESTART
    // checkpoint takes the write lock (ours anyway), waits (busy_timeout) for the readers of
    // older frames to finish, copies what the background checkpoints have not, and lets the
    // next batch write the WAL from its start.
    int wal_frames = 0;
    int copied_frames = 0;
    // BUSY (a reader outlasted busy_timeout) leaves it for the next batch.
    if (sqlite3_wal_checkpoint_v2(db, database, SQLITE_CHECKPOINT_RESTART, &wal_frames,
                                  &copied_frames) == SQLITE_OK) {
      static_cast<GroupCommitter*>(self)->restarts_.fetch_add(1, std::memory_order_relaxed);
    }
    return SQLITE_OK;
  }
  if (pages >= kCheckpointPages) {
    auto* committer = static_cast<GroupCommitter*>(self);
    {
      std::lock_guard lock(committer->checkpoint_mutex_);
      committer->checkpoint_requested_ = true;
    }
    committer->checkpoint_wanted_.notify_one();
  }
  return SQLITE_OK;
}

void GroupCommitter::CheckpointLoop() {
  bool unfinished = false;  // the last checkpoint left frames behind
  while (true) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      // A checkpoint that readers kept from copying every frame is tried again soon even when
      // no write asks: a WAL left unfinished makes every read look through it page by page
      // (measured: list_page at a third of its speed behind a 100,000-frame WAL).
      auto wanted = [this] { return checkpoint_stopping_ || checkpoint_requested_; };
      if (unfinished) {
        checkpoint_wanted_.wait_for(lock, kCheckpointRetry, wanted);
      } else {
        checkpoint_wanted_.wait(lock, wanted);
      }
      if (checkpoint_stopping_) return;
      checkpoint_requested_ = false;
    }
    int wal_frames = 0;
    int copied_frames = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(checkpoint_connection_->handle(), nullptr,
                                  SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied_frames);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      // Not fatal: the WAL only grows until a later checkpoint succeeds.
      checkpoint_connection_->Fail(rc, "wal checkpoint");
    }
    unfinished = rc != SQLITE_OK || copied_frames < wal_frames;
    checkpoints_.fetch_add(1, std::memory_order_relaxed);
  }
}

void GroupCommitter::Enqueue(Job job) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
  }
  queued_.notify_one();
}

void GroupCommitter::Loop() {
  std::deque<Job> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued job is done
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
  }
}

void GroupCommitter::RunBatch(std::deque<Job>& batch) {
  Connection& connection = *connection_;
  // Observers hear of every batch's notes, even of one that failed: invalidating what did not
  // change costs a cache miss, missing a change would serve a stale value.
  auto notify = [&] {
    if (commit_observer_ && !changed_.empty()) commit_observer_(changed_);
    changed_.clear();
  };
  auto fail_all = [&](const Error& error) {
    notify();
    for (Job& job : batch) job.finish(&error);
  };

  for (int attempt = 1;; ++attempt) {
    connection.ClearFailure();
    Status begin = connection.Control("BEGIN IMMEDIATE");
    if (begin.ok()) break;
    if (!connection.WasContention() || attempt == kMaxBeginAttempts) {
      fail_all(begin.error());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt * attempt));
  }

  for (size_t i = 0; i < batch.size(); ++i) {
    if (Status savepoint = connection.Control("SAVEPOINT job"); !savepoint.ok()) {
      connection.Rollback();
      fail_all(savepoint.error());
      return;
    }
    bool succeeded = false;
    const size_t notes_before = changed_.size();
    try {
      succeeded = batch[i].run(connection);
    } catch (const std::exception& e) {
      // A bug or bad_alloc: this job answers 500 (its outcome stays empty); the others go on.
      connection.logger().Error(std::string("sqlite: a write threw: ") + e.what());
    }
    if (connection.InTransaction()) {
      Status end =
          succeeded ? connection.Control("RELEASE job") : connection.Control("ROLLBACK TO job");
      if (end.ok() && !succeeded) end = connection.Control("RELEASE job");
      if (end.ok() && !succeeded) changed_.resize(notes_before);
      if (end.ok()) continue;
      connection.Rollback();
      fail_all(end.error());
      return;
    }
    // SQLite ended the whole transaction on its own (an I/O error, a full disk): the jobs before
    // this one were undone with it, and those after would run outside any transaction.
    const Error lost = Error::Unavailable();
    fail_all(lost);
    return;
  }

  if (Status commit = connection.Control("COMMIT"); !commit.ok()) {
    connection.Rollback();
    fail_all(commit.error());
    return;
  }
  batches_.fetch_add(1, std::memory_order_relaxed);
  jobs_.fetch_add(batch.size(), std::memory_order_relaxed);
  notify();
  for (Job& job : batch) job.finish(nullptr);
}

}  // namespace tt::sqlite
