#include "webhooks/url_policy.h"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "webhooks/address_policy.h"

namespace tt::webhooks {
namespace {

bool IsLocalhostName(std::string_view host) {
  std::string lower(host);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  while (lower.ends_with('.')) lower.pop_back();  // "localhost." is the same name
  return lower == "localhost" || lower.ends_with(".localhost");
}

}  // namespace

std::optional<std::string> WebhookUrlProblem(std::string_view url, bool allow_private) {
  if (url.size() > kMaxWebhookUrlLength) return "must be at most 2048 bytes";
  boost::system::result<boost::urls::url_view> parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || !parsed->has_authority() || parsed->encoded_host().empty()) {
    return "must be an absolute https URL with a host";
  }
  if (parsed->scheme() != "https" && !(allow_private && parsed->scheme() == "http")) {
    return "must be an https URL";
  }
  if (parsed->has_userinfo()) return "must not carry a user name or password";
  if (parsed->has_fragment()) return "must not have a fragment";
  if (allow_private) return std::nullopt;

  if (parsed->host_type() == boost::urls::host_type::name) {
    if (IsLocalhostName(parsed->encoded_host())) return "must not name this machine";
    return std::nullopt;  // resolved and checked when delivering
  }
  boost::system::error_code error;
  const boost::asio::ip::address address =
      parsed->host_type() == boost::urls::host_type::ipv4
          ? boost::asio::ip::address(
                boost::asio::ip::make_address_v4(parsed->host_address(), error))
          : boost::asio::ip::address(
                boost::asio::ip::make_address_v6(parsed->host_address(), error));
  if (error) return "must have a valid host";
  if (!IsPublicAddress(address)) {
    return "must not be a private, loopback, link-local or reserved address";
  }
  return std::nullopt;
}

}  // namespace tt::webhooks
