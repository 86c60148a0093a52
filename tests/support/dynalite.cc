#include "support/dynalite.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <vector>

#ifndef TT_SOURCE_DIR
#error "TT_SOURCE_DIR (the repository root) must be defined; link the tt_test_dynalite library"
#endif

namespace tt::testing {
namespace {

namespace fs = std::filesystem;

// Generous: node starts in well under a second, but CI machines can be slow and loaded.
constexpr std::chrono::seconds kStartTimeout{30};
constexpr std::string_view kReadyPrefix = "dynalite listening on ";

fs::path SourceDir() { return fs::path(TT_SOURCE_DIR); }

std::string InstallHint() {
  return "run `npm ci` in " + SourceDir().string() + " (needs Node.js 20 and npm)";
}

// The first executable `name` in PATH, or empty.
fs::path FindOnPath(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::runtime_error StartError(const std::string& what) {
  return std::runtime_error("cannot start dynalite: " + what);
}

// Reads the child's announcement, `dynalite listening on <port>\n`, within kStartTimeout.
// Returns the port, or throws with what went wrong (the child's stderr is our stderr).
uint16_t ReadPort(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  std::string line;
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      throw StartError("it did not report its port within " +
                       std::to_string(kStartTimeout.count()) + " s");
    }
    pollfd waiting{fd, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw StartError(std::string("poll: ") + std::strerror(errno));
    if (ready == 0) continue;
    char chunk[256];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw StartError(std::string("read: ") + std::strerror(errno));
    if (n == 0) {
      throw StartError("the process exited before listening (see its message above; " +
                       InstallHint() + " if packages are missing)");
    }
    line.append(chunk, static_cast<size_t>(n));
  }
  line.erase(line.find('\n'));
  if (!line.starts_with(kReadyPrefix)) throw StartError("unexpected output: " + line);
  const int port = std::atoi(line.c_str() + kReadyPrefix.size());
  if (port <= 0 || port > 65535) throw StartError("unexpected port in: " + line);
  return static_cast<uint16_t>(port);
}

}  // namespace

Dynalite::Dynalite(uint16_t port) : port_(port) { Start(); }

Dynalite::~Dynalite() { Stop(); }

std::string Dynalite::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void Dynalite::Start() {
  if (running()) return;
  const fs::path script = SourceDir() / "tests" / "support" / "dynalite_server.js";
  if (!fs::exists(script)) throw StartError(script.string() + " is missing");
  if (!fs::exists(SourceDir() / "node_modules" / "dynalite" / "package.json")) {
    throw StartError("the dynalite npm package is not installed: " + InstallHint());
  }
  const fs::path node = FindOnPath("node");
  if (node.empty()) {
    throw StartError("`node` is not on PATH: install Node.js 20, then " + InstallHint());
  }

  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed (other threads may hold the allocator's locks).
  const std::string port_text = std::to_string(port_);
  std::vector<char*> argv = {const_cast<char*>(node.c_str()), const_cast<char*>(script.c_str()),
                             const_cast<char*>(port_text.c_str()), nullptr};
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0) {
    throw StartError(std::string("pipe: ") + std::strerror(errno));
  }
  if (::pipe2(from_child, O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(to_child[0]);
    ::close(to_child[1]);
    throw StartError(std::string("pipe: ") + std::strerror(error));
  }
  const long max_fd = ::sysconf(_SC_OPEN_MAX);

  const pid_t pid = ::fork();
  if (pid == 0) {
    // dup2 clears close-on-exec on the copies, so stdin and stdout survive exec.
    if (::dup2(to_child[0], STDIN_FILENO) < 0 || ::dup2(from_child[1], STDOUT_FILENO) < 0) {
      ::_exit(126);
    }
    // Sockets opened without close-on-exec (the test's servers and clients) must not leak into
    // node: an inherited listening socket would keep its port taken after the test closed it.
    if (::close_range(3, ~0U, 0) != 0) {
      for (long fd = 3; fd < max_fd; ++fd) ::close(static_cast<int>(fd));
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const int fork_error = errno;
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (pid < 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    throw StartError(std::string("fork: ") + std::strerror(fork_error));
  }
  pid_ = pid;
  stdin_fd_ = to_child[1];
  stdout_fd_ = from_child[0];
  try {
    const uint16_t listening = ReadPort(stdout_fd_);
    port_ = listening;
  } catch (...) {
    Stop();
    throw;
  }
}

void Dynalite::Stop() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  CloseFd(stdin_fd_);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  CloseFd(stdout_fd_);
}

}  // namespace tt::testing
