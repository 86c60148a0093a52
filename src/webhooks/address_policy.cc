#include "webhooks/address_policy.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace tt::webhooks {
namespace {

struct V4Range {
  uint32_t network;
  int prefix;
};

constexpr uint32_t V4(int a, int b, int c, int d) {
  return (static_cast<uint32_t>(a) << 24) | (static_cast<uint32_t>(b) << 16) |
         (static_cast<uint32_t>(c) << 8) | static_cast<uint32_t>(d);
}

// IANA's special-purpose IPv4 registry, less the ranges that are globally reachable.
constexpr std::array<V4Range, 17> kNonPublicV4 = {{
    {V4(0, 0, 0, 0), 8},        // "this network"
    {V4(10, 0, 0, 0), 8},       // private
    {V4(100, 64, 0, 0), 10},    // shared address space (carrier-grade NAT)
    {V4(127, 0, 0, 0), 8},      // loopback
    {V4(169, 254, 0, 0), 16},   // link-local (cloud metadata services live here)
    {V4(172, 16, 0, 0), 12},    // private
    {V4(192, 0, 0, 0), 24},     // IETF protocol assignments
    {V4(192, 0, 2, 0), 24},     // documentation
    {V4(192, 88, 99, 0), 24},   // deprecated 6to4 relay anycast
    {V4(192, 168, 0, 0), 16},   // private
    {V4(198, 18, 0, 0), 15},    // benchmarking
    {V4(198, 51, 100, 0), 24},  // documentation
    {V4(203, 0, 113, 0), 24},   // documentation
    {V4(224, 0, 0, 0), 4},      // multicast
    {V4(240, 0, 0, 0), 4},      // reserved
    {V4(255, 255, 255, 255), 32},
    {V4(0, 0, 0, 0), 32},
}};

bool IsPublicV4(const boost::asio::ip::address_v4& address) {
  const uint32_t bits = address.to_uint();
  for (const V4Range& range : kNonPublicV4) {
    const uint32_t mask = range.prefix == 0 ? 0 : ~uint32_t{0} << (32 - range.prefix);
    if ((bits & mask) == range.network) return false;
  }
  return true;
}

// The IPv4 address in the last four bytes of `bytes`.
boost::asio::ip::address_v4 EmbeddedV4(const boost::asio::ip::address_v6::bytes_type& bytes) {
  return boost::asio::ip::address_v4({bytes[12], bytes[13], bytes[14], bytes[15]});
}

bool IsPublicV6(const boost::asio::ip::address_v6& address) {
  if (address.is_v4_mapped()) return IsPublicV4(EmbeddedV4(address.to_bytes()));
  const boost::asio::ip::address_v6::bytes_type bytes = address.to_bytes();
  // NAT64 (64:ff9b::/96) reaches the IPv4 address it embeds.
  if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b &&
      std::all_of(bytes.begin() + 4, bytes.begin() + 12, [](unsigned char b) { return b == 0; })) {
    return IsPublicV4(EmbeddedV4(bytes));
  }
  if (address.is_unspecified() || address.is_loopback() || address.is_link_local() ||
      address.is_site_local() || address.is_multicast()) {
    return false;
  }
  if ((bytes[0] & 0xfe) == 0xfc) return false;  // unique local fc00::/7
  if (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8) {
    return false;  // documentation 2001:db8::/32
  }
  if (bytes[0] == 0x01 && bytes[1] == 0x00 &&
      std::all_of(bytes.begin() + 2, bytes.begin() + 8, [](unsigned char b) { return b == 0; })) {
    return false;  // discard-only 100::/64
  }
  // Only global unicast (2000::/3) is routed on the internet.
  return (bytes[0] & 0xe0) == 0x20;
}

}  // namespace

bool IsPublicAddress(const boost::asio::ip::address& address) {
  return address.is_v4() ? IsPublicV4(address.to_v4()) : IsPublicV6(address.to_v6());
}

}  // namespace tt::webhooks
