#include "security/password_hasher.h"

#include <sodium.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

namespace tt {
namespace {

namespace asio = boost::asio;

// Decrements the pending count when a job ends, however it ends.
class PendingSlot {
 public:
  explicit PendingSlot(std::atomic<size_t>& pending) : pending_(pending) {}
  ~PendingSlot() { --pending_; }
  PendingSlot(const PendingSlot&) = delete;
  PendingSlot& operator=(const PendingSlot&) = delete;

 private:
  std::atomic<size_t>& pending_;
};

}  // namespace

PasswordHasher::PasswordHasher(PasswordHashOptions options)
    : options_(options), pool_(options.threads == 0 ? 1 : options.threads) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  std::array<unsigned char, 32> random_password;
  randombytes_buf(random_password.data(), random_password.size());
  std::array<char, crypto_pwhash_STRBYTES> out;
  if (crypto_pwhash_str(out.data(), reinterpret_cast<const char*>(random_password.data()),
                        random_password.size(), options_.ops_limit,
                        options_.memory_limit_bytes) != 0) {
    throw std::runtime_error("Argon2id hashing failed (out of memory?)");
  }
  decoy_hash_ = out.data();
}

PasswordHasher::~PasswordHasher() { Stop(); }

void PasswordHasher::Stop() {
  pool_.stop();
  pool_.join();
}

namespace {

// Hashing threads run at a lower scheduling priority (nice 10) than the I/O threads: during a
// storm of sign-ins the CPUs are shared, and this keeps the other requests' latency close to
// what it is without one (the Linux scheduler gives a nice-10 thread about a tenth of the
// weight of a nice-0 one), while hashing still uses every cycle the I/O threads leave. The
// price: any other busy process on the machine goes first too (a compiler beside the server
// slows sign-ins several times over), which is why a server should have its machine. Set
// once per pool thread, on its first job; on Linux, setpriority on a thread id affects only that
// thread. A failure only costs latency, so it is ignored.
void LowerThisThreadsPriority() {
  thread_local const bool lowered = [] {
    const auto thread_id = static_cast<id_t>(::syscall(SYS_gettid));
    return ::setpriority(PRIO_PROCESS, thread_id, 10) == 0;
  }();
  (void)lowered;
}

// The work done on the pool. Coroutines here take everything as parameters: a capturing lambda
// coroutine would outlive its captures.
asio::awaitable<Result<std::string>> HashOnPool(std::string password, unsigned long long ops_limit,
                                                size_t memory_limit_bytes) {
  LowerThisThreadsPriority();
  std::array<char, crypto_pwhash_STRBYTES> out;
  if (crypto_pwhash_str(out.data(), password.data(), password.size(), ops_limit,
                        memory_limit_bytes) != 0) {
    co_return Error::Unavailable("the server is out of memory for hashing, try again");
  }
  co_return std::string(out.data());
}

asio::awaitable<Result<bool>> VerifyOnPool(std::string encoded_hash, std::string password) {
  LowerThisThreadsPriority();
  co_return crypto_pwhash_str_verify(encoded_hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace

asio::awaitable<Result<std::string>> PasswordHasher::Hash(std::string password) {
  if (++pending_ > options_.max_pending) {
    --pending_;
    co_return Error::Unavailable("the server is busy hashing passwords, try again");
  }
  PendingSlot slot(pending_);
  // co_spawn on the pool runs the work there and resumes this coroutine on its own executor.
  co_return co_await asio::co_spawn(
      pool_, HashOnPool(std::move(password), options_.ops_limit, options_.memory_limit_bytes),
      asio::use_awaitable);
}

asio::awaitable<Result<bool>> PasswordHasher::Verify(std::string encoded_hash,
                                                     std::string password) {
  if (++pending_ > options_.max_pending) {
    --pending_;
    co_return Error::Unavailable("the server is busy hashing passwords, try again");
  }
  PendingSlot slot(pending_);
  co_return co_await asio::co_spawn(
      pool_, VerifyOnPool(std::move(encoded_hash), std::move(password)), asio::use_awaitable);
}

}  // namespace tt
