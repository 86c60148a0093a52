#include "webhooks/address_policy.h"

#include <gtest/gtest.h>

namespace tt::webhooks {
namespace {

bool Public(const char* text) { return IsPublicAddress(boost::asio::ip::make_address(text)); }

TEST(AddressPolicy, GloballyRoutableAddressesPass) {
  for (const char* text : {"93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111",
                           "2a00:1450:4001:82a::200e", "::ffff:8.8.8.8", "64:ff9b::808:808"}) {
    EXPECT_TRUE(Public(text)) << text;
  }
}

TEST(AddressPolicy, LoopbackPrivateLinkLocalAndReservedAreRefused) {
  for (const char* text : {"127.0.0.1",
                           "127.255.0.9",
                           "10.1.2.3",
                           "172.16.0.1",
                           "172.31.255.255",
                           "192.168.1.1",
                           "169.254.169.254",
                           "100.64.0.1",
                           "0.0.0.0",
                           "0.1.2.3",
                           "255.255.255.255",
                           "224.0.0.1",
                           "240.0.0.1",
                           "192.0.2.10",
                           "198.51.100.7",
                           "203.0.113.9",
                           "198.18.0.1",
                           "::",
                           "::1",
                           "fe80::1",
                           "fc00::1",
                           "fd12:3456::1",
                           "ff02::1",
                           "2001:db8::1",
                           "::ffff:127.0.0.1",
                           "::ffff:10.0.0.1",
                           "::ffff:169.254.169.254",
                           "64:ff9b::7f00:1",
                           "100::1",
                           "::127.0.0.1"}) {
    EXPECT_FALSE(Public(text)) << text;
  }
}

TEST(AddressPolicy, TheEdgesOfPrivateRangesAreExact) {
  EXPECT_TRUE(Public("172.15.255.255"));
  EXPECT_FALSE(Public("172.16.0.0"));
  EXPECT_TRUE(Public("172.32.0.0"));
  EXPECT_TRUE(Public("100.63.255.255"));
  EXPECT_FALSE(Public("100.127.255.255"));
  EXPECT_TRUE(Public("100.128.0.0"));
  EXPECT_TRUE(Public("11.0.0.0"));
  EXPECT_TRUE(Public("9.255.255.255"));
}

}  // namespace
}  // namespace tt::webhooks
