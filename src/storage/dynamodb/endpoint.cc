#include "storage/dynamodb/endpoint.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>
#include <stdexcept>

namespace tt::dynamodb {

Endpoint ParseEndpoint(std::string_view url) {
  auto fail = [&](std::string_view why) {
    return std::invalid_argument("DynamoDB endpoint \"" + std::string(url) +
                                 "\": " + std::string(why));
  };
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) throw fail("not an absolute URL");
  const boost::urls::url_view& view = *parsed;
  Endpoint endpoint;
  if (view.scheme_id() == boost::urls::scheme::https) {
    endpoint.tls = true;
  } else if (view.scheme_id() != boost::urls::scheme::http) {
    throw fail("the scheme must be http or https");
  }
  if (!view.has_authority() || view.encoded_host().empty()) throw fail("no host");
  if (view.has_userinfo()) throw fail("user information is not supported");
  if (!view.encoded_path().empty() && view.encoded_path() != "/") {
    throw fail("a path is not supported");
  }
  if (view.has_query() || view.has_fragment()) throw fail("a query or fragment is not supported");
  const boost::urls::host_type type = view.host_type();
  if (type != boost::urls::host_type::name && type != boost::urls::host_type::ipv4 &&
      type != boost::urls::host_type::ipv6) {
    throw fail("unsupported host");
  }
  if (view.encoded_host().find('%') != std::string_view::npos) {
    throw fail("percent-encoded hosts are not supported");
  }
  endpoint.host_is_address = type != boost::urls::host_type::name;
  endpoint.host = std::string(view.encoded_host_address());
  std::transform(endpoint.host.begin(), endpoint.host.end(), endpoint.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string default_port = endpoint.tls ? "443" : "80";
  endpoint.port = view.has_port() && !view.port().empty() ? std::string(view.port()) : default_port;
  const std::string bracketed =
      type == boost::urls::host_type::ipv6 ? "[" + endpoint.host + "]" : endpoint.host;
  endpoint.host_header =
      endpoint.port == default_port ? bracketed : bracketed + ":" + endpoint.port;
  endpoint.display = bracketed + ":" + endpoint.port;
  return endpoint;
}

}  // namespace tt::dynamodb
