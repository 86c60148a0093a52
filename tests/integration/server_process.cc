#include "server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/dynalite.h"

namespace tt::testing {
namespace {

// Dynalite takes any credentials; real ones never reach tests.
void SetTestAwsEnvironment() {
  setenv("AWS_ACCESS_KEY_ID", "test", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "test", 1);
  setenv("AWS_REGION", "us-east-1", 1);
  unsetenv("AWS_PROFILE");
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

Backend TestBackend() {
  const char* backend = std::getenv("TT_TEST_BACKEND");
  return backend != nullptr && std::string_view(backend) == "dynamodb" ? Backend::kDynamoDb
                                                                       : Backend::kSqlite;
}

ServerProcess::ServerProcess(std::filesystem::path db_path, std::vector<std::string> extra_args)
    : db_path_(std::move(db_path)), extra_args_(std::move(extra_args)) {
  if (TestBackend() == Backend::kDynamoDb) dynalite_ = std::make_unique<Dynalite>();
  std::random_device random;
  log_path_ = db_path_.parent_path() / ("server-" + std::to_string(random()) + ".log");
  Start();
}

ServerProcess::ServerProcess(std::filesystem::path db_path, std::vector<std::string> extra_args,
                             std::vector<std::string> db_args)
    : db_path_(std::move(db_path)),
      extra_args_(std::move(extra_args)),
      db_args_(std::move(db_args)) {
  std::random_device random;
  log_path_ = db_path_.parent_path() / ("server-" + std::to_string(random()) + ".log");
  Start();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Terminate();
}

std::vector<std::string> ServerProcess::DbArgs() const {
  if (!db_args_.empty()) return db_args_;
  if (dynalite_ != nullptr) {
    return {"--db", "dynamodb:" + dynalite_->endpoint(), "--table-prefix", "tt_test_"};
  }
  return {"--db", "sqlite:" + db_path_.string()};
}

void ServerProcess::Start() {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args = {TT_SERVER_BINARY,   "serve", "--listen",  "127.0.0.1:0",
                                   "--hash-threads",   "2",     "--threads", "2",
                                   "--shutdown-grace", "5"};
  std::vector<std::string> db_args = DbArgs();
  args.insert(args.end(), db_args.begin(), db_args.end());
  // The webhook key beside the test's database, not in the working directory (which every test
  // shares), unless the test names one.
  if (std::find(extra_args_.begin(), extra_args_.end(), "--webhook-key-file") ==
      extra_args_.end()) {
    args.push_back("--webhook-key-file");
    args.push_back((db_path_.parent_path() / "webhook.key").string());
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    SetTestAwsEnvironment();
    if (file_size_limit_ > 0) {
      rlimit limit{file_size_limit_, file_size_limit_};
      setrlimit(RLIMIT_FSIZE, &limit);
      signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG
    }
    dup2(out_pipe[1], STDOUT_FILENO);
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(out_pipe[0]);
    close(out_pipe[1]);
    std::vector<char*> argv = Argv(args);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  pid_ = pid;

  // Wait for "track-tracker listening on http://HOST:PORT".
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (output.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd fd{out_pipe[0], POLLIN, 0};
    if (left.count() <= 0 || poll(&fd, 1, static_cast<int>(left.count())) <= 0) break;
    char buffer[256];
    ssize_t n = read(out_pipe[0], buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  close(out_pipe[0]);
  size_t colon = output.rfind(':');
  if (output.find("listening on") == std::string::npos || colon == std::string::npos) {
    Kill();
    throw std::runtime_error("the server did not start; its log:\n" + Log());
  }
  port_ = static_cast<uint16_t>(std::stoi(output.substr(colon + 1)));
}

int ServerProcess::Wait(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int ServerProcess::Terminate() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = Wait(15000);
  if (status == -1 && pid_ > 0) {
    Kill();
    return 128 + SIGKILL;
  }
  return status;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void ServerProcess::RestartWithFileSizeLimit(size_t bytes) {
  if (pid_ > 0) Terminate();
  file_size_limit_ = bytes;
  Start();
}

void ServerProcess::Restart() {
  if (pid_ > 0) Terminate();
  Start();
}

std::string ServerProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ServerProcess::WaitForLog(std::string_view text,
                                      std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::string log = Log();
    if (log.find(text) != std::string::npos || std::chrono::steady_clock::now() >= deadline) {
      return log;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

CommandResult RunServerCommand(const std::vector<std::string>& args) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> full = {TT_SERVER_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    SetTestAwsEnvironment();
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(out_pipe[1], STDERR_FILENO);
    close(out_pipe[0]);
    close(out_pipe[1]);
    std::vector<char*> argv = Argv(full);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  CommandResult result;
  char buffer[4096];
  ssize_t n;
  while ((n = read(out_pipe[0], buffer, sizeof buffer)) > 0) {
    result.output.append(buffer, static_cast<size_t>(n));
  }
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace tt::testing
