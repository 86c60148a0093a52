// A blocking HTTP/1.1 client for talking to a Server in tests: one TCP connection, raw bytes or
// Beast messages out, Beast responses in. Every call has a deadline, so a server that never
// answers fails the test instead of hanging it. Not thread-safe; one per test thread.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tt::testing {

class HttpTestClient {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  using Headers = std::vector<std::pair<std::string, std::string>>;

  static constexpr std::chrono::seconds kDefaultDeadline{10};

  // Connects at once; throws boost::system::system_error when it cannot.
  explicit HttpTestClient(const boost::asio::ip::tcp::endpoint& endpoint) : socket_(io_) {
    socket_.connect(endpoint);
  }

  // Sends `bytes` as they are; returns the error, if any (a closed connection, say).
  boost::beast::error_code SendRaw(std::string_view bytes,
                                   std::chrono::milliseconds deadline = kDefaultDeadline) {
    boost::beast::error_code result;
    boost::asio::async_write(socket_, boost::asio::buffer(bytes.data(), bytes.size()),
                             [&](boost::beast::error_code ec, size_t) { result = ec; });
    if (!Run(deadline)) return boost::beast::error::timeout;
    return result;
  }

  boost::beast::error_code Send(Request request) {
    if (request.find(boost::beast::http::field::host) == request.end()) {
      request.set(boost::beast::http::field::host, "test");
    }
    request.prepare_payload();
    boost::beast::error_code result;
    boost::beast::http::async_write(socket_, request,
                                    [&](boost::beast::error_code ec, size_t) { result = ec; });
    if (!Run(kDefaultDeadline)) return boost::beast::error::timeout;
    return result;
  }

  // The next response, or nullopt when the connection ends or the deadline passes first.
  std::optional<Response> Read(std::chrono::milliseconds deadline = kDefaultDeadline) {
    return ReadResponse(deadline, false);
  }

  // The next response to a HEAD request: a header only, whatever its Content-Length says.
  std::optional<Response> ReadHeadResponse() { return ReadResponse(kDefaultDeadline, true); }

  // Sends a request with `method`, `target`, `body` and `headers`, and reads its response.
  std::optional<Response> Call(boost::beast::http::verb method, std::string_view target,
                               std::string body = "", const Headers& headers = {}) {
    Request request(method, target, 11);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    if (Send(std::move(request))) return std::nullopt;
    return Read();
  }

  // Raw bytes in, one response out.
  std::optional<Response> CallRaw(std::string_view bytes) {
    if (SendRaw(bytes)) return std::nullopt;
    return Read();
  }

  // Whether the server closes the connection within `deadline`: a read ends with end of
  // stream or a reset. Bytes that arrive first are discarded; the connection stays usable when
  // the deadline passes.
  bool WaitForClose(std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (true) {
      const auto left = until - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return false;
      boost::beast::error_code result;
      char discard[4096];
      socket_.async_read_some(boost::asio::buffer(discard),
                              [&](boost::beast::error_code ec, size_t) { result = ec; });
      if (!Run(std::chrono::duration_cast<std::chrono::milliseconds>(left))) return false;
      if (result) return true;
    }
  }

  boost::beast::error_code last_read_error() const { return last_read_error_; }

 private:
  std::optional<Response> ReadResponse(std::chrono::milliseconds deadline, bool head) {
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.skip(head);
    parser.body_limit(64 * 1024 * 1024);
    parser.header_limit(64 * 1024);
    boost::beast::error_code result;
    boost::beast::http::async_read(socket_, buffer_, parser,
                                   [&](boost::beast::error_code ec, size_t) { result = ec; });
    if (!Run(deadline)) result = boost::beast::error::timeout;
    last_read_error_ = result;
    if (result) return std::nullopt;
    return parser.release();
  }

  // Runs the pending operation; false when `deadline` passed first, in which case the operation
  // is cancelled (its handler still runs) and the socket left open.
  bool Run(std::chrono::milliseconds deadline) {
    io_.restart();
    io_.run_for(deadline);
    if (io_.stopped()) return true;
    boost::beast::error_code ignored;
    socket_.cancel(ignored);
    io_.restart();
    io_.run();
    return false;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  boost::beast::error_code last_read_error_;
};

}  // namespace tt::testing
