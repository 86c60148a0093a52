// CallSlots: the max_in_flight limit of a dynamodb::Client, with a bounded, oldest-first wait.
#pragma once

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <utility>

namespace tt::dynamodb {

// The max_in_flight places of a Client. A call takes one for its whole life (attempts and the
// pauses between them, so that a throttled DynamoDB also sees fewer callers) and gives it back
// when done; when none is free it waits, oldest first, for at most a timeout. Thread-safe.
class CallSlots {
 public:
  explicit CallSlots(size_t count) : free_(std::max<size_t>(count, 1)) {}

  // Takes a place, waiting up to `timeout`. REQUIRES: the calling coroutine runs on a strand
  // (or an executor that one thread runs), where Release's wake-up is also posted. Returns false
  // on timeout or when the caller is cancelled while waiting; throws operation_aborted when it
  // was cancelled before (as every co_await in a cancelled coroutine does).
  boost::asio::awaitable<bool> Acquire(std::chrono::milliseconds timeout) {
    const boost::asio::any_io_executor strand = co_await boost::asio::this_coro::executor;
    std::shared_ptr<Waiter> waiter;
    {
      std::lock_guard lock(mutex_);
      // Release hands a place straight to the oldest waiter, so free places mean no waiters.
      if (free_ > 0) {
        --free_;
        co_return true;
      }
      waiter = std::make_shared<Waiter>(strand, timeout);
      waiters_.push_back(waiter);
    }
    try {
      // Ends at the timeout, or earlier when Release (or a cancellation) cancels the timer.
      co_await waiter->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    } catch (...) {
      Abandon(waiter);
      throw;
    }
    std::lock_guard lock(mutex_);
    if (waiter->granted) co_return true;
    std::erase(waiters_, waiter);
    co_return false;
  }

  // Gives a place back: to the oldest waiter if any.
  void Release() {
    std::shared_ptr<Waiter> next;
    {
      std::lock_guard lock(mutex_);
      if (waiters_.empty()) {
        ++free_;
        return;
      }
      next = std::move(waiters_.front());
      waiters_.pop_front();
      next->granted = true;
    }
    // The waiter's timer is only touched on its strand.
    boost::asio::post(next->timer.get_executor(), [next] { next->timer.cancel(); });
  }

 private:
  struct Waiter {
    Waiter(const boost::asio::any_io_executor& strand, std::chrono::milliseconds timeout)
        : timer(strand, timeout) {}
    boost::asio::steady_timer timer;
    bool granted = false;  // guarded by CallSlots::mutex_
  };

  // A waiter that left by an exception: its place, if it was just given one, goes on.
  void Abandon(const std::shared_ptr<Waiter>& waiter) {
    bool granted = false;
    {
      std::lock_guard lock(mutex_);
      granted = waiter->granted;
      if (!granted) std::erase(waiters_, waiter);
    }
    if (granted) Release();
  }

  std::mutex mutex_;
  size_t free_;                                  // guarded by mutex_
  std::deque<std::shared_ptr<Waiter>> waiters_;  // guarded by mutex_; oldest first
};

// Holds a place of CallSlots until destroyed.
class HeldSlot {
 public:
  explicit HeldSlot(CallSlots& slots) : slots_(&slots) {}
  ~HeldSlot() { slots_->Release(); }
  HeldSlot(const HeldSlot&) = delete;
  HeldSlot& operator=(const HeldSlot&) = delete;

 private:
  CallSlots* slots_;
};

}  // namespace tt::dynamodb
