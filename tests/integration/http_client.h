// A small synchronous HTTP/1.1 client over Boost.Beast for integration tests: one connection per
// request, so it is safe to use from many threads at once.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tt::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;

  // The body parsed as JSON; a null value when it is not JSON.
  boost::json::value Json() const;
  // The header's value, or "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : port_(port) {}

  // Sends one request. A non-empty `token` becomes `Authorization: Bearer <token>`; a body is
  // sent as application/json unless `headers` set another Content-Type.
  HttpResponse Send(std::string_view method, std::string_view target, std::string_view token = "",
                    const std::string* body = nullptr, const Headers& headers = {}) const;

  HttpResponse Get(std::string_view target, std::string_view token = "",
                   const Headers& headers = {}) const;
  HttpResponse Delete(std::string_view target, std::string_view token = "",
                      const Headers& headers = {}) const;
  HttpResponse Post(std::string_view target, const boost::json::value& body,
                    std::string_view token = "", const Headers& headers = {}) const;
  HttpResponse Patch(std::string_view target, const boost::json::value& body,
                     std::string_view token = "", const Headers& headers = {}) const;
  HttpResponse Put(std::string_view target, std::string_view token = "",
                   const Headers& headers = {}) const;

  // Writes `raw` bytes on a fresh connection and returns whatever the server answers until it
  // closes the connection or `timeout_ms` passes.
  std::string SendRaw(std::string_view raw, int timeout_ms = 5000) const;

  uint16_t port() const { return port_; }

 private:
  uint16_t port_;
};

}  // namespace tt::testing
