// Runs a coroutine to completion on a private io_context, for tests of coroutine APIs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <utility>

namespace tt::testing {

template <typename T>
T RunSync(boost::asio::awaitable<T> task) {
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
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

}  // namespace tt::testing
