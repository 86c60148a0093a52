#include "log/logger.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "domain/time.h"

namespace tt {

// One thread's unwritten lines for one logger. The owning thread appends; the flusher, Flush()
// and the owning thread's own flushes take the text away. The lock is contended only while a
// flush swaps the text out; taking and writing happen under the logger's output lock, so what
// is taken from one buffer is written in the order it was taken.
struct LogThreadBuffer {
  std::mutex mutex;
  std::string text;
  std::atomic<bool> thread_exited{false};
};

namespace {

std::atomic<uint64_t> next_logger_id{1};

// The buffers of the calling thread, one per logger it has logged to (usually one). When the
// thread exits they are marked, and the flusher forgets them once written.
struct ThreadBuffers {
  std::vector<std::pair<uint64_t, std::shared_ptr<LogThreadBuffer>>> entries;
  ~ThreadBuffers() {
    for (auto& [logger_id, buffer] : entries) buffer->thread_exited = true;
  }
};
thread_local ThreadBuffers thread_buffers;

std::string FormatLine(LogLevel level, std::string_view message) {
  static constexpr std::string_view kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  std::string line = FormatUtc(
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
  line.reserve(line.size() + message.size() + 8);
  line += ' ';
  line += kNames[static_cast<int>(level)];
  line += ' ';
  line += message;
  line += '\n';
  return line;
}

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  if (text == "off") return LogLevel::kOff;
  return std::nullopt;
}

Logger::Logger(LogLevel min_level, std::FILE* out)
    : min_(min_level), out_(out), id_(next_logger_id.fetch_add(1)) {}

Logger::~Logger() {
  {
    std::lock_guard lock(flusher_mutex_);
    stopping_ = true;
  }
  flusher_wake_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  Flush();
}

void Logger::Log(LogLevel level, std::string_view message) {
  if (!Enabled(level)) return;
  std::string line = FormatLine(level, message);
  if (!buffering_.load(std::memory_order_acquire)) {
    WriteOut(line);
    return;
  }
  LogThreadBuffer& buffer = BufferOfThisThread();
  bool write_now = false;
  {
    std::lock_guard lock(buffer.mutex);
    buffer.text += line;
    // A warning goes out at once, behind this thread's earlier lines; a full buffer too.
    write_now = level >= LogLevel::kWarn || buffer.text.size() >= kFlushBytes;
  }
  if (!write_now) return;
  // Lock order: output, then buffer. The flusher may have taken the text in between; it wrote
  // it before releasing the output lock, so once we hold it the line is out or still here.
  std::lock_guard out_lock(out_mutex_);
  std::string batch;
  {
    std::lock_guard lock(buffer.mutex);
    batch.swap(buffer.text);
  }
  if (!batch.empty()) WriteLocked(batch);
}

void Logger::StartBuffering(std::chrono::milliseconds interval) {
  std::lock_guard lock(flusher_mutex_);
  if (flusher_.joinable() || stopping_) return;
  interval_ = std::max(interval, std::chrono::milliseconds(1));
  buffering_.store(true, std::memory_order_release);
  flusher_ = std::thread([this] { RunFlusher(); });
}

void Logger::Flush() {
  std::vector<std::shared_ptr<LogThreadBuffer>> buffers;
  {
    std::lock_guard lock(buffers_mutex_);
    buffers = buffers_;
    // A thread that has exited logs no more: once written below, its buffer can go.
    std::erase_if(buffers_, [](const std::shared_ptr<LogThreadBuffer>& buffer) {
      return buffer->thread_exited.load();
    });
  }
  std::lock_guard out_lock(out_mutex_);
  std::string batch;
  for (const std::shared_ptr<LogThreadBuffer>& buffer : buffers) {
    std::lock_guard lock(buffer->mutex);
    if (batch.empty()) {
      batch.swap(buffer->text);
    } else {
      batch += buffer->text;
      buffer->text.clear();
    }
  }
  if (!batch.empty()) WriteLocked(batch);
}

LogThreadBuffer& Logger::BufferOfThisThread() {
  for (auto& [logger_id, buffer] : thread_buffers.entries) {
    if (logger_id == id_) return *buffer;
  }
  auto buffer = std::make_shared<LogThreadBuffer>();
  {
    std::lock_guard lock(buffers_mutex_);
    buffers_.push_back(buffer);
  }
  thread_buffers.entries.emplace_back(id_, buffer);
  return *buffer;
}

void Logger::WriteOut(std::string_view text) {
  std::lock_guard lock(out_mutex_);
  WriteLocked(text);
}

void Logger::WriteLocked(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

void Logger::RunFlusher() {
  std::unique_lock lock(flusher_mutex_);
  while (!stopping_) {
    flusher_wake_.wait_for(lock, interval_, [this] { return stopping_; });
    lock.unlock();
    Flush();
    lock.lock();
  }
}

}  // namespace tt
