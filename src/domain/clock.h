// Sources of time and randomness are passed in, never read from globals, so tests can fix them.
#pragma once

#include <cstddef>
#include <span>

#include "domain/time.h"

namespace tt {

// Thread-safe: Now() may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
  }
};

// A SystemClock that lives as long as the program, for defaults ("no clock given").
inline const Clock& TheSystemClock() {
  static const SystemClock clock;  // stateless
  return clock;
}

// Cryptographically secure random bytes. Thread-safe.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(std::span<std::byte> out) = 0;
};

}  // namespace tt
