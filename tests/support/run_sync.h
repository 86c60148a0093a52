// Runs a coroutine to completion on a private io_context, for tests of coroutine APIs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace tt::testing {

// Runs `task` on an io_context served by `threads` threads (the caller's and threads - 1 more),
// so that the requests a store method spawns really run in parallel, as on the server's I/O
// threads.
template <typename T>
T RunOnThreads(boost::asio::awaitable<T> task, int threads) {
  boost::asio::io_context io;
  std::optional<T> result;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) {
      failure = e;
    } else {
      result.emplace(std::move(value));
    }
  });
  std::vector<std::thread> helpers;
  for (int i = 1; i < threads; ++i) helpers.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& helper : helpers) helper.join();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

template <typename T>
T RunSync(boost::asio::awaitable<T> task) {
  return RunOnThreads(std::move(task), 1);
}

}  // namespace tt::testing
