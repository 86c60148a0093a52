// A temporary file for a Logger to write into, read back whole: for tests that check what an
// operator would read in the log.
#pragma once

#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tt::testing {

class LogFile {
 public:
  LogFile() : file_(std::tmpfile()) {
    if (file_ == nullptr) throw std::runtime_error("tmpfile failed");
  }
  ~LogFile() { std::fclose(file_); }
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // For Logger's constructor. Outlive the Logger with the LogFile (declare it first).
  std::FILE* get() const { return file_; }

  // Everything written so far; writing goes on at the end afterwards.
  std::string Text() const {
    std::fflush(file_);
    std::string text;
    std::rewind(file_);
    char chunk[4096];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, file_)) > 0) text.append(chunk, n);
    std::fseek(file_, 0, SEEK_END);
    return text;
  }
  // The messages of the lines written so far (without time and level).
  std::vector<std::string> Messages() const {
    std::vector<std::string> messages;
    std::istringstream lines(Text());
    std::string line;
    while (std::getline(lines, line)) {
      const size_t level_end = line.find(' ', line.find(' ') + 1);
      messages.push_back(level_end == std::string::npos ? line : line.substr(level_end + 1));
    }
    return messages;
  }

 private:
  std::FILE* file_;
};

}  // namespace tt::testing
