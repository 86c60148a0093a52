#include "security/password_hasher.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/fast_hashing.h"
#include "support/run_sync.h"

namespace tt {
namespace {

using testing::FastHashing;
using testing::RunSync;

TEST(PasswordHasher, HashesWithArgon2idAndVerifiesOnlyTheRightPassword) {
  PasswordHasher hasher(FastHashing());
  Result<std::string> hash = RunSync(hasher.Hash("correct horse"));
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(RunSync(hasher.Verify(*hash, "correct horse")).value());
  EXPECT_FALSE(RunSync(hasher.Verify(*hash, "correct horsE")).value());
}

TEST(PasswordHasher, SaltsEveryHash) {
  PasswordHasher hasher(FastHashing());
  EXPECT_NE(RunSync(hasher.Hash("same")).value(), RunSync(hasher.Hash("same")).value());
}

TEST(PasswordHasher, TheDecoyHashIsValidAndMatchesNoGuess) {
  PasswordHasher hasher(FastHashing());
  EXPECT_TRUE(hasher.decoy_hash().starts_with("$argon2id$"));
  EXPECT_FALSE(RunSync(hasher.Verify(hasher.decoy_hash(), "")).value());
  EXPECT_FALSE(RunSync(hasher.Verify(hasher.decoy_hash(), "password")).value());
}

TEST(PasswordHasher, AMalformedStoredHashNeverVerifies) {
  PasswordHasher hasher(FastHashing());
  EXPECT_FALSE(RunSync(hasher.Verify("not a hash", "not a hash")).value());
}

TEST(PasswordHasher, HashesOffTheCallersThread) {
  PasswordHasher hasher(FastHashing());
  std::thread::id caller = std::this_thread::get_id();
  std::thread::id resumed_on;
  Result<std::string> hash = RunSync([&]() -> boost::asio::awaitable<Result<std::string>> {
    Result<std::string> result = co_await hasher.Hash("pw");
    resumed_on = std::this_thread::get_id();
    co_return result;
  }());
  ASSERT_TRUE(hash.ok());
  // The work ran on the pool and the coroutine came back to the caller's executor.
  EXPECT_EQ(resumed_on, caller);
}

// The nice value of each thread of this process, from /proc/self/task/<tid>/stat (field 19).
std::vector<int> ThreadNiceValues() {
  std::vector<int> values;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream file(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // from field 3, the state
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i) {
      if (i == 19) values.push_back(std::stoi(field));
    }
  }
  return values;
}

// Relative to the process's own nice value: CI may run the tests under `nice`.
TEST(PasswordHasher, HashesAtALowerPriorityThanTheCallersThread) {
  const int own = ::getpriority(PRIO_PROCESS, 0);
  if (own >= 19) GTEST_SKIP() << "at nice 19 nothing can run lower";
  PasswordHasher hasher(FastHashing());
  ASSERT_TRUE(RunSync(hasher.Hash("pw")).ok());
  const std::vector<int> nice = ThreadNiceValues();
  // This thread keeps its priority; the pool's one thread runs 10 nicer (at most 19).
  EXPECT_EQ(std::count(nice.begin(), nice.end(), std::min(own + 10, 19)), 1)
      << ::testing::PrintToString(nice);
  EXPECT_GE(std::count(nice.begin(), nice.end(), own), 1);
}

TEST(PasswordHasher, AFullQueueAnswersUnavailableInsteadOfGrowing) {
  PasswordHashOptions options = FastHashing();
  options.max_pending = 2;
  options.ops_limit = 4;
  options.memory_limit_bytes = 32 * 1024 * 1024;  // slow enough that jobs pile up
  PasswordHasher hasher(options);
  boost::asio::io_context io;
  int ok = 0;
  int unavailable = 0;
  for (int i = 0; i < 8; ++i) {
    boost::asio::co_spawn(io, hasher.Hash("pw"), [&](std::exception_ptr, Result<std::string> r) {
      if (r.ok()) {
        ++ok;
      } else if (r.error().code == ErrorCode::kUnavailable) {
        ++unavailable;
      }
    });
  }
  io.run();
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(unavailable, 6);
}

// Each caller is answered as its own hash finishes, not once the queue has drained: a sign-in
// must not wait for every sign-in queued after it (co_spawn onto the pool used to post each
// answer behind the whole queue).
TEST(PasswordHasher, EachCallerIsAnsweredWhenItsOwnHashIsDone) {
  PasswordHashOptions options = FastHashing();
  options.threads = 1;
  options.ops_limit = 3;
  options.memory_limit_bytes = 32 * 1024 * 1024;  // tens of milliseconds a hash
  PasswordHasher hasher(options);
  boost::asio::io_context io;
  constexpr size_t kJobs = 4;
  std::vector<size_t> finished_when_answered;
  for (size_t i = 0; i < kJobs; ++i) {
    boost::asio::co_spawn(io, hasher.Hash("pw"), [&](std::exception_ptr, Result<std::string> r) {
      EXPECT_TRUE(r.ok());
      finished_when_answered.push_back(hasher.completed());
    });
  }
  io.run();
  ASSERT_EQ(finished_when_answered.size(), kJobs);
  EXPECT_LT(finished_when_answered.front(), kJobs)
      << "the first answer came only after every queued hash was done";
}

}  // namespace
}  // namespace tt
