// A self-signed certificate made at test time, for TLS servers in tests (no key in the repo).
#pragma once

#include <string>

namespace tt::testing {

struct TestCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
};

// An ECDSA P-256 certificate for `localhost` and 127.0.0.1 (subjectAltName), valid for a day,
// signed by its own key. Aborts the test binary if OpenSSL fails (it only can when out of memory).
TestCertificate MakeSelfSignedCertificate();

}  // namespace tt::testing
