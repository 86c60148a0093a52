#include "storage/dynamodb/connection_pool.h"

#include <sys/socket.h>

#include <cerrno>
#include <utility>

namespace tt::dynamodb {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Whether an idle connection still seems usable: the peer has not closed it and sent nothing
// unasked. Catches most connections the server closed while idle (its keep-alive timeout, a
// restart) without a round trip; the stale-connection retry in Client's Attempt covers the rest.
bool LooksAlive(Connection& connection) {
  tcp::socket& socket = connection.socket();
  if (!socket.is_open()) return false;
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// Drops the idle connections opened on an execution context when that context shuts down (an
// io_context being destroyed): a socket must not outlive its context's reactor, and a Client
// may outlive the io_contexts it was called on (tests run each call on a private io_context).
class PoolReaper final : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;

  explicit PoolReaper(asio::execution_context& context) : service(context) {}

  void Watch(std::weak_ptr<ConnectionPool> pool) {
    std::lock_guard lock(mutex_);
    std::erase_if(pools_, [](const std::weak_ptr<ConnectionPool>& p) { return p.expired(); });
    pools_.push_back(std::move(pool));
  }

 private:
  void shutdown() override {
    std::vector<std::weak_ptr<ConnectionPool>> pools;
    {
      std::lock_guard lock(mutex_);
      pools.swap(pools_);
    }
    for (const std::weak_ptr<ConnectionPool>& weak : pools) {
      if (std::shared_ptr<ConnectionPool> pool = weak.lock()) pool->DropContext(&context());
    }
  }

  std::mutex mutex_;
  std::vector<std::weak_ptr<ConnectionPool>> pools_;  // guarded by mutex_
};

}  // namespace

std::unique_ptr<Connection> ConnectionPool::Take(asio::execution_context& context) {
  while (true) {
    std::unique_ptr<Connection> connection;
    {
      std::lock_guard lock(mutex_);
      auto it = idle_.find(&context);
      if (it == idle_.end() || it->second.empty()) return nullptr;
      connection = std::move(it->second.back());
      it->second.pop_back();
      --idle_count_;
    }
    // Checked outside the lock; a dead one is closed here, also outside the lock.
    if (LooksAlive(*connection)) return connection;
  }
}

void ConnectionPool::Give(std::unique_ptr<Connection> connection) {
  asio::execution_context* context = connection->context;
  bool first_on_context = false;
  {
    std::lock_guard lock(mutex_);
    if (idle_count_ >= max_idle_) {
      connection.reset();
      return;
    }
    auto [it, inserted] = idle_.try_emplace(context);
    first_on_context = inserted;
    it->second.push_back(std::move(connection));
    ++idle_count_;
  }
  // The caller runs on `context`, so it is alive and cannot be shutting down meanwhile.
  if (first_on_context) asio::use_service<PoolReaper>(*context).Watch(weak_from_this());
}

void ConnectionPool::DropContext(asio::execution_context* context) {
  std::vector<std::unique_ptr<Connection>> dropped;  // closed after the lock is released
  std::lock_guard lock(mutex_);
  auto it = idle_.find(context);
  if (it == idle_.end()) return;
  idle_count_ -= it->second.size();
  dropped = std::move(it->second);
  idle_.erase(it);
}

}  // namespace tt::dynamodb
