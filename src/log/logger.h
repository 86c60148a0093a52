// A line-oriented logger to one stream (stderr by default). Thread-safe: a line is written
// whole. Never pass it secrets (tokens, passwords, hashes).
//
// By default every line is written (and flushed) as it is logged. A server calls
// StartBuffering(): lines below kWarn then go into a buffer of the logging thread, so the access
// log costs an append, not an fwrite and fflush under a global lock per request. A buffer is
// written when it passes kFlushBytes and by a flusher thread at most one interval after a line
// entered it; Flush() and the destructor write everything still buffered, so a clean stop loses
// nothing (a crash loses at most the last interval of info lines). Warnings and errors are
// written at once, after the calling thread's buffered lines, so each thread's lines keep their
// order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tt {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// "debug", "info", "warn", "error" or "off".
std::optional<LogLevel> ParseLogLevel(std::string_view text);

struct LogThreadBuffer;  // logger.cc

class Logger {
 public:
  // A thread's buffer is written out once it holds this much.
  static constexpr size_t kFlushBytes = 64 * 1024;

  explicit Logger(LogLevel min_level, std::FILE* out = stderr);
  // Stops the flusher and writes what is still buffered.
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool Enabled(LogLevel level) const { return level >= min_ && min_ != LogLevel::kOff; }
  // Writes `<utc time> <level> <message>` and a newline when `level` is enabled.
  void Log(LogLevel level, std::string_view message);
  void Info(std::string_view message) { Log(LogLevel::kInfo, message); }
  void Warn(std::string_view message) { Log(LogLevel::kWarn, message); }
  void Error(std::string_view message) { Log(LogLevel::kError, message); }

  // Buffers lines below kWarn per thread from now on, with a flusher thread that writes them at
  // most `interval` after they were logged. Calling it again changes nothing.
  void StartBuffering(std::chrono::milliseconds interval = std::chrono::milliseconds(100));
  // Writes every line buffered so far, by any thread. Safe to call from any thread at any time.
  void Flush();

 private:
  LogThreadBuffer& BufferOfThisThread();
  // Writes `text` (whole lines) to the stream and flushes it.
  void WriteOut(std::string_view text);
  // The same, with out_mutex_ already held.
  void WriteLocked(std::string_view text);
  void RunFlusher();

  const LogLevel min_;
  std::FILE* const out_;
  const uint64_t id_;  // tells this logger's buffers from another's on a thread
  // Held while text is taken from a buffer and written, so each buffer is written in order.
  std::mutex out_mutex_;
  std::atomic<bool> buffering_{false};

  std::mutex buffers_mutex_;
  std::vector<std::shared_ptr<LogThreadBuffer>> buffers_;

  std::chrono::milliseconds interval_{100};
  std::mutex flusher_mutex_;
  std::condition_variable flusher_wake_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace tt
