// Sends one webhook delivery attempt: a POST to the endpoint's URL, and what came back.
//
// A webhook URL is chosen by an API caller, so the sender is careful where it connects and what
// it reads: the host's addresses are checked after resolution (IsPublicAddress), so a name that
// resolves to a private address now (DNS rebinding) is refused without a connection; TLS is
// verified, with the host name; redirects are not followed (a 3xx is an answer like any other);
// the whole exchange has one deadline; at most `max_response_bytes` of the answer's body are
// read. Each attempt opens its own connection: endpoints are many and attempts rare per endpoint.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tt::webhooks {

struct SenderOptions {
  // For the whole attempt: resolution, connection, TLS handshake, request and answer.
  std::chrono::milliseconds timeout{15000};
  size_t max_response_bytes = 64 * 1024;
  // --webhook-allow-private: plain http and non-public addresses (loopback, private networks)
  // are allowed. Off, they are refused before any connection is made.
  bool allow_private = false;
  // Verifies servers' certificates (verify_peer, with the trust store to use). Required for
  // https URLs; not owned.
  boost::asio::ssl::context* tls = nullptr;
};

struct OutgoingWebhook {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Host and Content-Length
  std::string body;
};

// What one attempt came to: the answer's status code, or why there was none.
struct SendOutcome {
  std::optional<int> status;    // set when an answer's head was read
  std::string error;            // set when not: refused address, DNS, connect, TLS, timeout...
  bool body_truncated = false;  // the answer's body was longer than max_response_bytes

  bool Succeeded() const { return status.has_value() && *status >= 200 && *status < 300; }
};

// One attempt at delivering `webhook`. Never throws for a network or protocol failure (those are
// outcomes); runs on the caller's executor and ends early, with an error, when the caller is
// cancelled.
boost::asio::awaitable<SendOutcome> SendWebhook(const OutgoingWebhook& webhook,
                                                const SenderOptions& options);

}  // namespace tt::webhooks
