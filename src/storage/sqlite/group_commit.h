// GroupCommitter: SqliteStore's writes, many requests' to one transaction and one fsync.
//
// With synchronous=FULL every COMMIT waits for the WAL to reach the disk, and SQLite has one
// writer at a time, so committing each request's write on its own caps writes at one fsync
// each, with every I/O thread that wants to write blocked behind the one committing. Here a
// write is a job on a queue; one thread takes every job queued (up to max_batch), runs them one
// after another in a single BEGIN IMMEDIATE ... COMMIT, each inside its own SAVEPOINT so that a
// job that fails (a conflict, a stale version) is rolled back alone, and completes them all
// after the one COMMIT. While it commits, new jobs queue for the next batch, so the batch grows
// with the load and costs nothing when writes come one at a time.
//
// Durability is unchanged: a job completes with success only after the COMMIT that contains it
// returned, so an answered write survives kill -9 and power loss. When the COMMIT (or BEGIN)
// fails, every job of the batch that had succeeded completes with that error instead: none of
// them was written. Jobs run in queue order, so each sees the writes of those before it, as if
// they had been committed one by one.
//
// Checkpoints: SQLite's automatic checkpoint would copy the WAL back into the database inside
// the COMMIT that crosses 1,000 pages, holding up every write queued behind it (a fifth of the
// committer's time under an add_event load). The writer's automatic checkpoint is off instead;
// once the WAL holds kCheckpointPages, a second thread with its own connection runs a PASSIVE
// checkpoint, which waits for no one and runs beside the writes and reads. One that readers
// kept from copying every frame is tried again every 100 ms: SQLite starts the WAL over only
// once every frame is copied, and without the retries a bench run grew a 2 GB WAL (every read
// then looks through it). As a backstop, once the WAL holds kRestartPages the committer itself
// runs a RESTART checkpoint between two batches, which waits for the readers of old frames.
//
// Threading: Run() may be called from any thread and any executor; the job runs on the
// committer's thread and the awaiting coroutine resumes on its own executor. The destructor
// finishes the jobs already queued, then joins both threads.
#pragma once

#include <atomic>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "domain/error.h"
#include "storage/sqlite/connection.h"

namespace tt::sqlite {

class GroupCommitter {
 public:
  // Writes through `writer` and checkpoints through `checkpointer`, two connections to the
  // same database that it owns; starts the committer and checkpointer threads.
  GroupCommitter(std::unique_ptr<Connection> writer, std::unique_ptr<Connection> checkpointer,
                 size_t max_batch = 256);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Runs `body(Connection&)`, which returns a Status or a Result<T>, in the next batch, and
  // completes with what it returned once that batch is committed, or with the error that kept
  // it from being committed. A body that fails has its changes rolled back and its error
  // returned; it must have no effect outside the database. Whatever `body` refers to must stay
  // alive until the returned awaitable completes (a coroutine's locals do).
  template <typename Body>
  boost::asio::awaitable<std::invoke_result_t<Body&, Connection&>> Run(Body body);

  // Called on the committer's thread after each batch's COMMIT (or its failure), before any job
  // of the batch completes, with the keys its jobs noted: a cache invalidated here never serves
  // a value older than an answered write. Set it before the first Run.
  void SetCommitObserver(std::function<void(const std::vector<std::string>&)> observer) {
    commit_observer_ = std::move(observer);
  }
  // From inside a job's body (the committer's thread): the job changed what `key` names. The
  // note is dropped when the job fails and is rolled back.
  void NoteChanged(std::string key) { changed_.push_back(std::move(key)); }

  // Batches committed and jobs run so far, for the store's counters. Any thread.
  uint64_t batches() const { return batches_.load(std::memory_order_relaxed); }
  uint64_t jobs() const { return jobs_.load(std::memory_order_relaxed); }
  // Statements its connection ran (see Connection::statements_run).
  uint64_t statements_run() const { return connection_->statements_run(); }
  // Checkpoints run so far. Any thread.
  uint64_t checkpoints() const { return checkpoints_.load(std::memory_order_relaxed); }

  // WAL size (pages) at which a checkpoint is started, as SQLite's automatic one would.
  static constexpr int kCheckpointPages = 1000;
  // WAL size (pages) at which the committer restarts the WAL itself (about 32 MiB).
  static constexpr int kRestartPages = 8000;
  // WAL restarts run so far. Any thread.
  uint64_t restarts() const { return restarts_.load(std::memory_order_relaxed); }

 private:
  struct Job {
    // Runs the body in the batch's transaction; returns whether it succeeded.
    std::function<bool(Connection&)> run;
    // Delivers the outcome: called once, with nullptr when the batch was committed, or with the
    // error that failed the batch (which replaces the outcome of a body that succeeded).
    std::function<void(const Error*)> finish;
  };

  void Enqueue(Job job);
  void Loop();
  void RunBatch(std::deque<Job>& batch);
  void CheckpointLoop();
  // sqlite3_wal_hook: called by the writer's COMMIT with the pages now in the WAL.
  static int OnWalCommit(void* self, sqlite3* db, const char* database, int pages);

  std::unique_ptr<Connection> connection_;
  const size_t max_batch_;
  std::function<void(const std::vector<std::string>&)> commit_observer_;
  std::vector<std::string> changed_;  // the running batch's notes; committer thread only
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> jobs_{0};
  std::atomic<uint64_t> checkpoints_{0};
  std::atomic<uint64_t> restarts_{0};

  std::unique_ptr<Connection> checkpoint_connection_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wanted_;
  bool checkpoint_requested_ = false;  // guarded by checkpoint_mutex_
  bool checkpoint_stopping_ = false;   // guarded by checkpoint_mutex_

  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<Job> queue_;          // guarded by mutex_
  bool stopping_ = false;          // guarded by mutex_
  std::thread checkpoint_thread_;  // the threads last: started once everything above exists
  std::thread thread_;
};

template <typename Body>
boost::asio::awaitable<std::invoke_result_t<Body&, Connection&>> GroupCommitter::Run(Body body) {
  using Outcome = std::invoke_result_t<Body&, Connection&>;
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Outcome)>(
      [this](auto handler, Body job_body) {
        using Handler = decltype(handler);
        // Shared by the two closures of the job, which std::function needs copyable.
        struct State {
          explicit State(Handler h) : handler(std::move(h)) {}
          Handler handler;
          std::optional<Outcome> outcome;
        };
        auto state = std::make_shared<State>(std::move(handler));
        Job job;
        job.run = [state, job_body](Connection& connection) mutable {
          state->outcome.emplace(job_body(connection));
          return state->outcome->ok();
        };
        job.finish = [state](const Error* batch_error) {
          Outcome outcome = Error::Internal();
          if (batch_error != nullptr && (!state->outcome || state->outcome->ok())) {
            outcome = *batch_error;
          } else if (state->outcome) {
            outcome = std::move(*state->outcome);
          }
          // Counted as the context's outstanding work until post() has returned: otherwise the
          // context could run the completion, run out of work and be destroyed while post() is
          // still waking its thread.
          auto executor = boost::asio::prefer(boost::asio::get_associated_executor(state->handler),
                                              boost::asio::execution::outstanding_work.tracked);
          boost::asio::post(executor, [state, outcome = std::move(outcome)]() mutable {
            std::move(state->handler)(std::move(outcome));
          });
        };
        Enqueue(std::move(job));
      },
      boost::asio::use_awaitable, std::move(body));
}

}  // namespace tt::sqlite
