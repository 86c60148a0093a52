#include "security/password_hasher.h"

#include <sodium.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <stdexcept>
#include <type_traits>

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

// Hashing threads run at a lower scheduling priority (10 nicer) than the I/O threads: during a
// storm of sign-ins the CPUs are shared, and this keeps the other requests' latency close to
// what it is without one (the Linux scheduler gives a nice-10 thread about a tenth of the
// weight of a nice-0 one), while hashing still uses every cycle the I/O threads leave. The
// price: any other busy process on the machine goes first too (a compiler beside the server
// slows sign-ins several times over), which is why a server should have its machine. Set
// once per pool thread, on its first job; on Linux, setpriority on a thread id affects only that
// thread. Relative to the nice value the thread was started with (the server's), so that a
// server started under `nice` still hashes below its I/O threads, up to the limit of 19. A
// failure only costs latency, so it is ignored.
void LowerThisThreadsPriority() {
  thread_local const bool lowered = [] {
    const auto thread_id = static_cast<id_t>(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, thread_id);  // -1 is a valid nice value
    if (current == -1 && errno != 0) return false;
    return ::setpriority(PRIO_PROCESS, thread_id, std::min(current + 10, 19)) == 0;
  }();
  (void)lowered;
}

// Runs `work()` on `pool` and resumes the awaiting coroutine on its own executor as soon as the
// work is done. (co_spawn onto the pool would post that resumption to the back of the pool's
// queue, behind every hash queued meanwhile: in a storm of sign-ins each one was answered only
// once the whole queue had drained.)
template <typename Work>
asio::awaitable<std::invoke_result_t<Work&>> RunOnPool(asio::thread_pool& pool, Work work) {
  using Outcome = std::invoke_result_t<Work&>;
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Outcome)>(
      [&pool](auto handler, Work job) {
        // Counted as the awaiting context's outstanding work until the answer is delivered.
        auto executor = asio::prefer(asio::get_associated_executor(handler),
                                     asio::execution::outstanding_work.tracked);
        asio::post(pool, [handler = std::move(handler), executor, job = std::move(job)]() mutable {
          Outcome outcome = job();
          asio::post(executor,
                     [handler = std::move(handler), outcome = std::move(outcome)]() mutable {
                       std::move(handler)(std::move(outcome));
                     });
        });
      },
      asio::use_awaitable, std::move(work));
}

}  // namespace

asio::awaitable<Result<std::string>> PasswordHasher::Hash(std::string password) {
  if (++pending_ > options_.max_pending) {
    --pending_;
    co_return Error::Unavailable("the server is busy hashing passwords, try again");
  }
  PendingSlot slot(pending_);
  // A named local, not a temporary in the co_await expression: g++ 12 destroys such a temporary
  // twice.
  auto hash = [this, password = std::move(password)]() -> Result<std::string> {
    LowerThisThreadsPriority();
    std::array<char, crypto_pwhash_STRBYTES> out;
    const int failed = crypto_pwhash_str(out.data(), password.data(), password.size(),
                                         options_.ops_limit, options_.memory_limit_bytes);
    ++completed_;
    if (failed != 0)
      return Error::Unavailable("the server is out of memory for hashing, try again");
    return std::string(out.data());
  };
  co_return co_await RunOnPool(pool_, std::move(hash));
}

asio::awaitable<Result<bool>> PasswordHasher::Verify(std::string encoded_hash,
                                                     std::string password) {
  if (++pending_ > options_.max_pending) {
    --pending_;
    co_return Error::Unavailable("the server is busy hashing passwords, try again");
  }
  PendingSlot slot(pending_);
  auto verify = [this, encoded_hash = std::move(encoded_hash),
                 password = std::move(password)]() -> Result<bool> {
    LowerThisThreadsPriority();
    const bool matches =
        crypto_pwhash_str_verify(encoded_hash.c_str(), password.data(), password.size()) == 0;
    ++completed_;
    return matches;
  };
  co_return co_await RunOnPool(pool_, std::move(verify));
}

}  // namespace tt
