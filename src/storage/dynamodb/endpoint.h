// Where a dynamodb::Client sends its requests: the endpoint URL of ClientOptions, taken apart once
// at construction.
#pragma once

#include <string>
#include <string_view>

namespace tt::dynamodb {

struct Endpoint {
  bool tls = false;
  bool host_is_address = false;
  std::string host;         // a DNS name or an IP address (IPv6 without brackets)
  std::string port;         // for the resolver, e.g. "443"
  std::string host_header;  // as sent in Host and signed: host, and the port unless default
  std::string display;      // host:port, for the logs
};

// Throws std::invalid_argument, naming `url` and what is wrong with it, unless it is an http or
// https URL with a host and nothing after it but an optional "/" (a start-up failure).
Endpoint ParseEndpoint(std::string_view url);

}  // namespace tt::dynamodb
