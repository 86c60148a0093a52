// A Clock that a test moves by hand. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

#include "domain/clock.h"

namespace tt::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start = Timestamp(std::chrono::seconds(1'780'000'000)))
      : now_(start) {}
  Timestamp Now() const override { return now_.load(); }
  void Advance(std::chrono::microseconds by) { now_.store(now_.load() + by); }

 private:
  std::atomic<Timestamp> now_;
};

}  // namespace tt::testing
