#include "http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

namespace tt::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

boost::json::value HttpResponse::Json() const {
  std::error_code error;
  boost::json::value value = boost::json::parse(body, error);
  if (error) return nullptr;
  return value;
}

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? "" : it->second;
}

bool HttpResponse::HasHeader(std::string_view name) const {
  return headers.contains(std::string(name));
}

HttpResponse HttpClient::Send(std::string_view method, std::string_view target,
                              std::string_view token, const std::string* body,
                              const Headers& headers) const {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(60));
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));

  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, "127.0.0.1");
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + std::string(token));
  if (body != nullptr) {
    request.set(http::field::content_type, "application/json");
    request.body() = *body;
  }
  for (const auto& [name, value] : headers) request.set(name, value);
  request.prepare_payload();
  http::write(stream, request);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser);
  const auto& message = parser.get();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    response.headers[name] = std::string(field.value());
  }
  response.body = message.body();
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return response;
}

HttpResponse HttpClient::Get(std::string_view target, std::string_view token,
                             const Headers& headers) const {
  return Send("GET", target, token, nullptr, headers);
}

HttpResponse HttpClient::Delete(std::string_view target, std::string_view token,
                                const Headers& headers) const {
  return Send("DELETE", target, token, nullptr, headers);
}

HttpResponse HttpClient::Post(std::string_view target, const boost::json::value& body,
                              std::string_view token, const Headers& headers) const {
  std::string text = boost::json::serialize(body);
  return Send("POST", target, token, &text, headers);
}

HttpResponse HttpClient::Patch(std::string_view target, const boost::json::value& body,
                               std::string_view token, const Headers& headers) const {
  std::string text = boost::json::serialize(body);
  return Send("PATCH", target, token, &text, headers);
}

HttpResponse HttpClient::Put(std::string_view target, std::string_view token,
                             const Headers& headers) const {
  return Send("PUT", target, token, nullptr, headers);
}

std::string HttpClient::SendRaw(std::string_view raw, int timeout_ms) const {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  // Synchronous reads ignore Beast's timeouts; the socket's own receive timeout bounds them.
  timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  beast::error_code error;
  asio::write(stream.socket(), asio::buffer(raw.data(), raw.size()), error);
  std::string answer;
  char chunk[4096];
  while (true) {
    size_t n = stream.read_some(asio::buffer(chunk), error);
    answer.append(chunk, n);
    if (error) break;
  }
  return answer;
}

}  // namespace tt::testing
