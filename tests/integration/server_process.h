// The real `track-tracker` binary run as a child process on an ephemeral port with its own
// temporary database, for tests that speak HTTP to it as a client would.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tt::testing {

class Dynalite;

// The store the servers of this test process use. The same suite runs on both: ctest runs it a
// second time with TT_TEST_BACKEND=dynamodb, where each server gets a dynalite of its own.
enum class Backend { kSqlite, kDynamoDb };
Backend TestBackend();

class ServerProcess {
 public:
  // Starts `track-tracker serve --listen 127.0.0.1:0 --db <DbArgs()> ...extra_args` and waits
  // until it prints the port it listens on. Throws std::runtime_error if it does not. On
  // DynamoDB it first starts a dynalite that lives as long as this object (across restarts).
  ServerProcess(std::filesystem::path db_path, std::vector<std::string> extra_args = {});
  // As above, but on the store `db_args` name (e.g. {"--db", "dynamodb:http://..."}) whatever
  // TestBackend() says; no dynalite is started.
  ServerProcess(std::filesystem::path db_path, std::vector<std::string> extra_args,
                std::vector<std::string> db_args);
  // Stops the server with SIGTERM (and SIGKILL if it does not stop in time).
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& db_path() const { return db_path_; }
  // The flags that name this server's store, for other commands on the same data.
  std::vector<std::string> DbArgs() const;
  // Everything the server wrote to stderr so far (its log).
  std::string Log() const;
  // The log once it contains `text`, or as it is after `timeout`: the server writes its access
  // log in batches (at most 100 ms apart), so a line may follow its answer by that much.
  std::string WaitForLog(std::string_view text,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  // SIGTERM and wait; returns the exit status (or 128 + signal).
  int Terminate();
  // SIGKILL and wait: a crash, with no chance to clean up.
  void Kill();
  // Starts a stopped server again on the same database (on a new port).
  void Restart();
  // Restarts the server with files it writes limited to `bytes` (RLIMIT_FSIZE, with SIGXFSZ
  // ignored), so that writes past it fail as on a full disk; 0 removes the limit.
  void RestartWithFileSizeLimit(size_t bytes);

 private:
  void Start();
  int Wait(int timeout_ms);

  std::filesystem::path db_path_;
  std::unique_ptr<Dynalite> dynalite_;
  std::vector<std::string> extra_args_;
  std::vector<std::string> db_args_;  // when given explicitly
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  size_t file_size_limit_ = 0;
  uint16_t port_ = 0;
};

// Runs the binary with `args` to completion; returns its exit status and combined output.
struct CommandResult {
  int exit_status = -1;
  std::string output;
};
CommandResult RunServerCommand(const std::vector<std::string>& args);

}  // namespace tt::testing
