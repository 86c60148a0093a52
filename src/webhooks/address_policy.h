// Which network addresses a webhook may be delivered to. A webhook URL is chosen by an API
// caller, so without this check the server could be made to POST to its own loopback services,
// the cloud metadata endpoint (169.254.169.254) or the private network (server-side request
// forgery). Only globally routable unicast addresses pass; the sender checks the address it
// actually connects to, after DNS resolution, so a name that resolves differently later (DNS
// rebinding) is caught too.
#pragma once

#include <boost/asio/ip/address.hpp>

namespace tt::webhooks {

// False for loopback, private (RFC 1918, unique local fc00::/7), link-local, shared (100.64/10),
// unspecified, multicast, broadcast, documentation, benchmarking and reserved ranges, and for
// IPv6 forms that embed such an IPv4 address (v4-mapped, NAT64 64:ff9b::/96).
bool IsPublicAddress(const boost::asio::ip::address& address);

}  // namespace tt::webhooks
