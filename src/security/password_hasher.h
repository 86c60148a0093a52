// Argon2id password hashing (libsodium) on a bounded pool of worker threads, so that hashing
// never runs on an I/O thread and a storm of sign-ins cannot queue without limit.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <string>

#include "domain/error.h"

namespace tt {

struct PasswordHashOptions {
  size_t threads = 2;
  // Jobs waiting or running at once; beyond this Hash/Verify answer kUnavailable (503 with
  // Retry-After) instead of queueing. Each running job holds memory_limit_bytes.
  size_t max_pending = 64;
  unsigned long long ops_limit = 2;                 // crypto_pwhash_OPSLIMIT_INTERACTIVE
  size_t memory_limit_bytes = 64ull * 1024 * 1024;  // crypto_pwhash_MEMLIMIT_INTERACTIVE
};

class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordHashOptions options);
  ~PasswordHasher();  // joins the pool

  // The encoded Argon2id hash (`$argon2id$v=19$...`) of `password`. Resumes on the caller's
  // executor.
  boost::asio::awaitable<Result<std::string>> Hash(std::string password);
  // Whether `password` matches `encoded_hash`, checked in constant time by libsodium.
  boost::asio::awaitable<Result<bool>> Verify(std::string encoded_hash, std::string password);
  // A valid hash of a random password, for verifying against when the user does not exist so
  // that an unknown username costs as much time as a wrong password.
  const std::string& decoy_hash() const { return decoy_hash_; }

  // Stops accepting work and waits for running jobs.
  void Stop();

  // Hashes and verifications finished so far. Any thread.
  size_t completed() const { return completed_.load(); }

 private:
  PasswordHashOptions options_;
  boost::asio::thread_pool pool_;
  std::atomic<size_t> pending_{0};
  std::atomic<size_t> completed_{0};
  std::string decoy_hash_;
};

}  // namespace tt
