// CountStaleReads: readers racing a writer, for the freshness tests of the caches. A read is
// stale when it answers a version older than the last write answered before the read began.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace tt::testing {

struct StaleReads {
  int64_t stale = 0;
  int64_t reads = 0;
};

// Starts `readers` threads that call `read(reader)` (the version it saw, 0 for none) until the
// writes are done, while this thread calls `write(version)` for versions 2 to `last_version`,
// one after another (version 1 is the one set up before). A write that returns false ends the
// writes early, with a test failure.
inline StaleReads CountStaleReads(int readers, int64_t last_version,
                                  const std::function<int64_t(int reader)>& read,
                                  const std::function<bool(int64_t version)>& write) {
  std::atomic<int64_t> answered{1};
  std::atomic<bool> done{false};
  std::atomic<int64_t> stale{0};
  std::atomic<int64_t> reads{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([&, r] {
      while (!done.load()) {
        const int64_t floor = answered.load();
        if (read(r) < floor) ++stale;
        ++reads;
      }
    });
  }
  for (int64_t version = 2; version <= last_version; ++version) {
    if (!write(version)) {
      ADD_FAILURE() << "write of version " << version << " failed";
      break;
    }
    answered.store(version);
  }
  done.store(true);
  for (std::thread& thread : threads) thread.join();
  return StaleReads{stale.load(), reads.load()};
}

}  // namespace tt::testing
