// AWS Signature Version 4 for requests signed in the Authorization header, as the DynamoDB
// client sends them: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
//
// SignRequest() is a pure function of the request, the credentials, the scope (region, service,
// time) and the options: it reads no clock, no environment and no network, so a test can pin
// every input and compare each stage (CanonicalRequest, StringToSign, Signature) with the AWS
// test suite (tests/data/aws-sigv4).
//
// Canonicalisation follows the AWS rules for every service but S3, as the AWS SDKs (aws-c-auth)
// apply them:
//   path    `path` is taken as it goes on the wire (already percent-encoded once) and each
//           segment is URI-encoded once more (RFC 3986 unreserved characters kept, `/` kept);
//           with normalize_path, empty and `.` segments are dropped and `..` removes the segment
//           before it, keeping a trailing `/`; an empty path is `/`.
//   query   split on `&`, each `key[=value]` percent-decoded then URI-encoded, sorted by encoded
//           key then encoded value. `+` is a literal plus (encoded %2B), not a space.
//   headers names lowercased; values trimmed, with runs of spaces, tabs and line breaks inside
//           them collapsed to one space; values of a repeated name joined by `,` in the order
//           given; sorted by name.
//
// Headers the signer sets (Authorization, X-Amz-Date, X-Amz-Security-Token,
// x-amz-content-sha256) are ignored when present in the input, so re-signing a retried request
// cannot sign stale values; replace them with SignRequest's output. Headers that proxies and HTTP
// stacks rewrite (Connection, Expect, Upgrade, User-Agent, X-Amzn-Trace-Id, Sec-WebSocket-*) are
// sent unsigned, as aws-c-auth does.
//
// Errors: only OpenSSL failing to hash (out of memory, no SHA-256 provider) yields an Error
// (kInternal). Thread-safety: all functions are safe to call concurrently.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/error.h"

namespace tt::dynamodb {

struct HttpHeader {
  std::string name;
  std::string value;

  bool operator==(const HttpHeader&) const = default;
};

// Long-term (access key) or temporary (with a session token) AWS credentials. Never log them.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::optional<std::string> session_token;  // absent or empty: long-term credentials
};

// The parts of an HTTP request that the signature covers. Views must outlive the call.
struct RequestToSign {
  std::string_view method;  // e.g. "POST", as sent (not case-folded)
  std::string_view path;    // as on the wire, e.g. "/"; empty means "/"
  std::string_view query;   // as on the wire, without the `?`; empty when there is none
  // In the order they are sent; names may repeat. REQUIRES: includes Host.
  std::span<const HttpHeader> headers;
  std::string_view body;
  // The payload hash to sign instead of SHA-256(body): the lowercase hex SHA-256 when the caller
  // already has it, or a marker such as "UNSIGNED-PAYLOAD" for services that accept one.
  std::optional<std::string_view> payload_hash;
};

// Who signs for which region and service, and when.
struct SigningScope {
  std::string region;                          // e.g. "eu-west-1"
  std::string service;                         // the signing name, "dynamodb" for DynamoDB
  std::chrono::system_clock::time_point time;  // read to the second, in UTC
};

struct SigningOptions {
  // Remove `.`, `..` and empty segments before encoding the path. Every service but S3 expects it;
  // false signs the path exactly as given (still encoded).
  bool normalize_path = true;
  // Also send and sign `x-amz-content-sha256: <payload hash>` (S3 requires it; DynamoDB does not).
  bool add_content_sha256_header = false;
  // Sign X-Amz-Security-Token. A few services (IoT) want the token sent but left out of the
  // signature; the token header is added in either case.
  bool sign_session_token = true;
};

// The headers to add to the request, in this order: X-Amz-Security-Token (with a session token),
// X-Amz-Date, x-amz-content-sha256 (with add_content_sha256_header), Authorization.
Result<std::vector<HttpHeader>> SignRequest(const RequestToSign& request,
                                            const AwsCredentials& credentials,
                                            const SigningScope& scope,
                                            const SigningOptions& options = {});

// ---- The stages of SignRequest, exposed so tests can compare each with the AWS suite ---------

// The canonical request: method, canonical path, query and headers (including the ones
// SignRequest adds), signed header names and payload hash, separated by `\n`.
Result<std::string> CanonicalRequest(const RequestToSign& request,
                                     const AwsCredentials& credentials, const SigningScope& scope,
                                     const SigningOptions& options = {});

// "AWS4-HMAC-SHA256\n<X-Amz-Date>\n<date>/<region>/<service>/aws4_request\n<hex SHA-256 of the
// canonical request>".
Result<std::string> StringToSign(std::string_view canonical_request, const SigningScope& scope);

// Lowercase hex HMAC-SHA256 of `string_to_sign` under the key derived from the secret and scope.
Result<std::string> Signature(std::string_view string_to_sign, std::string_view secret_access_key,
                              const SigningScope& scope);

// ---- Building blocks -------------------------------------------------------------------------

// Lowercase hex SHA-256, the form of payload hashes (RequestToSign::payload_hash).
Result<std::string> Sha256Hex(std::string_view data);

// `YYYYMMDDTHHMMSSZ` in UTC, the X-Amz-Date form.
std::string AmzDate(std::chrono::system_clock::time_point time);

}  // namespace tt::dynamodb
