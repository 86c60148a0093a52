// CounterValue: one counter of a store's (or a cache's) Counters(), for tests that read them.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "storage/store.h"

namespace tt::testing {

// The value of the counter named `name`; 0, and a test failure, when there is none.
inline uint64_t CounterValue(const std::vector<StoreCounter>& counters, std::string_view name) {
  for (const StoreCounter& counter : counters) {
    if (counter.name == name) return counter.value;
  }
  ADD_FAILURE() << "no counter " << name;
  return 0;
}

}  // namespace tt::testing
