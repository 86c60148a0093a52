// A dynalite process (an in-memory DynamoDB, tests/support/dynalite_server.js) for tests of the
// DynamoDB backend, listening on 127.0.0.1.
//
//   tt::testing::Dynalite dynalite;  // started on a free port, ready for connections
//   options.settings.endpoint = dynalite.endpoint();  // "http://127.0.0.1:<port>"
//   ...
//   dynalite.Stop();   // an outage: connections are refused
//   dynalite.Start();  // back, on the same port, with no tables (it keeps nothing)
//
// Needs `node` on PATH and the repository's npm packages (`npm ci` at the repository root). Link
// the `tt_test_dynalite` library, which knows where the repository is. Dynalite accepts any
// non-empty access key and secret (it does not check signatures); use region "us-east-1". Tables
// are ACTIVE as soon as CreateTable answers.
//
// The process is stopped on destruction, and also exits by itself when the test binary dies
// (it watches a pipe from this process). Not thread-safe: use one Dynalite from one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace tt::testing {

class Dynalite {
 public:
  // Starts dynalite on `port` (0: a free port chosen by the system) and waits until it accepts
  // connections. Throws std::runtime_error with what to do when node or the npm packages are
  // missing, or when dynalite does not start within a few seconds.
  explicit Dynalite(uint16_t port = 0);
  ~Dynalite();

  Dynalite(const Dynalite&) = delete;
  Dynalite& operator=(const Dynalite&) = delete;

  // The port it listens (or, when stopped, listened) on.
  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>", for AwsSettings::endpoint.
  std::string endpoint() const;
  bool running() const { return pid_ > 0; }

  // Stops the process and waits until it is gone, so its port refuses connections and its open
  // connections are closed. Does nothing when stopped.
  void Stop();
  // Starts a new, empty dynalite on the same port and waits until it accepts connections. Does
  // nothing when running. Throws like the constructor.
  void Start();

 private:
  uint16_t port_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;   // our end of the child's stdin: closing it makes the child exit
  int stdout_fd_ = -1;  // our end of the child's stdout, where it announces its port
};

}  // namespace tt::testing
