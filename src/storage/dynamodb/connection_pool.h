// The kept-alive connections of a dynamodb::Client, reused by later calls: one connection is
// used by one call at a time, and idle ones are kept per execution context (a socket may only be
// driven from the context it belongs to).
#pragma once

#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace tt::dynamodb {

// One kept-alive connection to the endpoint. Used by one call at a time: the pool hands it over
// under its mutex. Its socket belongs to `context` and may be driven from any executor of that
// context (completions go to the awaiting coroutine's executor), never from another context.
struct Connection {
  boost::asio::execution_context* context = nullptr;
  std::optional<boost::asio::ip::tcp::socket> plain;                            // for http
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls;  // for https
  boost::beast::flat_buffer buffer;  // bytes read past the last answer (none)

  boost::asio::ip::tcp::socket& socket() { return tls ? tls->next_layer() : *plain; }
};

// The idle connections of one Client, by the execution context their sockets belong to, most
// recently used last. Thread-safe.
class ConnectionPool : public std::enable_shared_from_this<ConnectionPool> {
 public:
  explicit ConnectionPool(size_t max_idle) : max_idle_(max_idle) {}

  // An idle connection on `context` that still looks alive, or nullptr.
  std::unique_ptr<Connection> Take(boost::asio::execution_context& context);
  // Keeps `connection` for reuse, or closes it when max_idle connections are already idle.
  // REQUIRES: called on `connection->context`.
  void Give(std::unique_ptr<Connection> connection);
  // Closes the idle connections of `context`, which is shutting down.
  void DropContext(boost::asio::execution_context* context);

 private:
  const size_t max_idle_;
  std::mutex mutex_;
  // Buckets are erased only by DropContext, so each context is watched once per pool.
  std::map<boost::asio::execution_context*, std::vector<std::unique_ptr<Connection>>> idle_;
  size_t idle_count_ = 0;  // guarded by mutex_
};

}  // namespace tt::dynamodb
