#include "log/logger.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/log_file.h"

namespace tt {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

using ::tt::testing::LogFile;

TEST(Logger, WritesEachLineAtOnceWithTimeAndLevelUnlessBuffering) {
  LogFile file;
  Logger logger(LogLevel::kInfo, file.get());
  logger.Info("first line");
  logger.Log(LogLevel::kDebug, "below the level");
  const std::string text = file.Text();
  EXPECT_NE(text.find("Z INFO first line\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("below the level"), std::string::npos);
}

TEST(Logger, BufferedInfoLinesWaitForAFlushAndAreThenWrittenInOrder) {
  LogFile file;
  Logger logger(LogLevel::kInfo, file.get());
  logger.StartBuffering(hours(1));  // no flusher wake-up within the test
  logger.Info("one");
  logger.Info("two");
  EXPECT_TRUE(file.Messages().empty());
  logger.Flush();
  EXPECT_EQ(file.Messages(), (std::vector<std::string>{"one", "two"}));
}

TEST(Logger, AWarningIsWrittenAtOnceAfterTheThreadsEarlierLines) {
  LogFile file;
  Logger logger(LogLevel::kInfo, file.get());
  logger.StartBuffering(hours(1));
  logger.Info("before");
  logger.Warn("something is off");
  EXPECT_EQ(file.Messages(), (std::vector<std::string>{"before", "something is off"}));
}

TEST(Logger, AFullBufferIsWrittenWithoutWaitingForTheFlusher) {
  LogFile file;
  Logger logger(LogLevel::kInfo, file.get());
  logger.StartBuffering(hours(1));
  const std::string message(1000, 'x');
  for (size_t written = 0; written < Logger::kFlushBytes; written += message.size()) {
    logger.Info(message);
  }
  EXPECT_FALSE(file.Messages().empty());
}

TEST(Logger, TheFlusherWritesBufferedLinesByItself) {
  LogFile file;
  Logger logger(LogLevel::kInfo, file.get());
  logger.StartBuffering(milliseconds(10));
  logger.Info("eventually");
  // Awaited, not timed: the flusher's interval is a promise the benchmarks check, not this test.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (file.Messages().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(file.Messages(), std::vector<std::string>{"eventually"});
}

TEST(Logger, ConcurrentThreadsLoseNoLineAndKeepEachThreadsOrder) {
  LogFile file;
  constexpr int kThreads = 8;
  constexpr int kLines = 3000;
  {
    Logger logger(LogLevel::kInfo, file.get());
    logger.StartBuffering(milliseconds(1));
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&logger, t] {
        for (int i = 0; i < kLines; ++i) {
          logger.Info("thread " + std::to_string(t) + " line " + std::to_string(i));
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    // Those threads have exited; what they left in their buffers is written when the logger
    // goes, as on a clean stop.
  }
  std::map<int, int> next_line;
  size_t lines = 0;
  for (const std::string& message : file.Messages()) {
    int thread = -1;
    int line = -1;
    ASSERT_EQ(std::sscanf(message.c_str(), "thread %d line %d", &thread, &line), 2) << message;
    EXPECT_EQ(line, next_line[thread]) << "thread " << thread;
    next_line[thread] = line + 1;
    ++lines;
  }
  EXPECT_EQ(lines, static_cast<size_t>(kThreads * kLines));
}

TEST(Logger, TwoLoggersOnOneThreadKeepTheirOwnLines) {
  LogFile first_file;
  LogFile second_file;
  Logger first(LogLevel::kInfo, first_file.get());
  Logger second(LogLevel::kInfo, second_file.get());
  first.StartBuffering(hours(1));
  second.StartBuffering(hours(1));
  first.Info("to the first");
  second.Info("to the second");
  first.Flush();
  second.Flush();
  EXPECT_EQ(first_file.Messages(), std::vector<std::string>{"to the first"});
  EXPECT_EQ(second_file.Messages(), std::vector<std::string>{"to the second"});
}

}  // namespace
}  // namespace tt
