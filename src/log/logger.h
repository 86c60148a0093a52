// A line-oriented logger to one stream (stderr by default). Thread-safe: a line is written
// whole. Never pass it secrets (tokens, passwords, hashes).
#pragma once

#include <cstdio>
#include <mutex>
#include <optional>
#include <string_view>

namespace tt {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

// "debug", "info", "warn", "error" or "off".
std::optional<LogLevel> ParseLogLevel(std::string_view text);

class Logger {
 public:
  explicit Logger(LogLevel min_level, std::FILE* out = stderr) : min_(min_level), out_(out) {}

  bool Enabled(LogLevel level) const { return level >= min_ && min_ != LogLevel::kOff; }
  // Writes `<utc time> <level> <message>` and a newline when `level` is enabled.
  void Log(LogLevel level, std::string_view message);
  void Info(std::string_view message) { Log(LogLevel::kInfo, message); }
  void Warn(std::string_view message) { Log(LogLevel::kWarn, message); }
  void Error(std::string_view message) { Log(LogLevel::kError, message); }

 private:
  LogLevel min_;
  std::FILE* out_;
  std::mutex mutex_;
};

}  // namespace tt
