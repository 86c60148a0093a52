#include "storage/sqlite/group_commit.h"

#include <chrono>
#include <exception>
#include <string>

namespace tt::sqlite {
namespace {

// BEGIN IMMEDIATE waits busy_timeout for another process's write lock, then the batch is tried
// this many times in all, as single transactions were.
constexpr int kMaxBeginAttempts = 3;

}  // namespace

GroupCommitter::GroupCommitter(std::unique_ptr<Connection> connection, size_t max_batch)
    : connection_(std::move(connection)),
      max_batch_(max_batch > 0 ? max_batch : 1),
      thread_([this] { Loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_one();
  thread_.join();
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
  auto fail_all = [&](const Error& error) {
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
  for (Job& job : batch) job.finish(nullptr);
}

}  // namespace tt::sqlite
