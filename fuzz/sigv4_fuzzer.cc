// AWS Signature Version 4 (src/storage/dynamodb/sigv4.h) over arbitrary requests.
//
// Input: one byte of options, then a raw request as in tests/data/aws-sigv4/*/request.txt
// (`METHOD target VERSION`, `Name:value` header lines, a line starting with a blank continues
// the previous header, an empty line, the body). Option bits: 0 normalize_path,
// 1 add_content_sha256_header, 2 sign_session_token, 3 credentials with a session token,
// 4 give payload_hash (the SHA-256 of the body), 5 give payload_hash "UNSIGNED-PAYLOAD",
// 6-7 move the signing time by that many years (0..3). Credentials and scope are the suite's.
//
// Invariants: signing never fails and never crashes; it is deterministic; the canonical request
// has the documented shape (a canonical path of one `/`-separated, percent-encoded segment per
// part, with no `.`, `..` or empty segment when normalized; a sorted, fully encoded query that is
// its own canonical form; sorted lowercase header names listed again as the signed headers);
// the Authorization header names the same signed headers and a 64-hex-digit signature; and
// re-signing a request that already carries SignRequest's headers signs the same thing.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "storage/dynamodb/sigv4.h"

namespace {

using tt::dynamodb::HttpHeader;
using tt::dynamodb::RequestToSign;
using tt::fuzz::Escape;

struct RawRequest {
  std::string method;
  std::string path;
  std::string query;
  std::vector<HttpHeader> headers;
  std::string body;
};

// Like the sigv4 test's parser, but total: a malformed line is taken as best it can be.
RawRequest ParseRawRequest(std::string_view text) {
  RawRequest request;
  bool first_line = true;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) break;
    if (first_line) {
      first_line = false;
      const size_t method_end = std::min(line.find(' '), line.size());
      const size_t version_start = std::max(line.rfind(' '), method_end);
      request.method = line.substr(0, method_end);
      const std::string_view target =
          line.substr(std::min(method_end + 1, line.size()),
                      version_start > method_end ? version_start - method_end - 1 : 0);
      const size_t question = target.find('?');
      request.path = target.substr(0, question);
      if (question != std::string_view::npos) request.query = target.substr(question + 1);
    } else if ((line.front() == ' ' || line.front() == '\t') && !request.headers.empty()) {
      request.headers.back().value.append(" ").append(line);
    } else {
      const size_t colon = line.find(':');
      request.headers.push_back(
          {std::string(line.substr(0, colon)),
           colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1))});
    }
  }
  request.body = text;
  return request;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (true) {
    const size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// Unreserved characters and `%XX` with uppercase hex digits only.
bool IsUriEncoded(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsUnreserved(text[i])) continue;
    if (text[i] != '%' || i + 2 >= text.size()) return false;
    for (size_t k = 1; k <= 2; ++k) {
      const char h = text[i + k];
      if (!((h >= '0' && h <= '9') || (h >= 'A' && h <= 'F'))) return false;
    }
    i += 2;
  }
  return true;
}

bool IsLowerHex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void CheckCanonicalPath(std::string_view path, bool normalized, std::string_view given) {
  // Only a normalized path is made absolute; otherwise it is the given one, encoded.
  if (normalized || given.empty() || given.starts_with('/')) {
    TT_FUZZ_CHECK_MSG(path.starts_with('/'), Escape(path));
  }
  std::string_view rest = path.substr(path.starts_with('/') ? 1 : 0);
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    TT_FUZZ_CHECK_MSG(IsUriEncoded(segment), Escape(path));
    if (normalized) {
      TT_FUZZ_CHECK_MSG(!segment.empty() && segment != "." && segment != "..", Escape(path));
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
}

void CheckCanonicalQuery(std::string_view query) {
  if (query.empty()) return;
  std::vector<std::pair<std::string_view, std::string_view>> params;
  for (std::string_view rest = query;;) {
    const size_t amp = rest.find('&');
    const std::string_view param = rest.substr(0, amp);
    const size_t equals = param.find('=');
    TT_FUZZ_CHECK_MSG(equals != std::string_view::npos, Escape(query));
    params.emplace_back(param.substr(0, equals), param.substr(equals + 1));
    TT_FUZZ_CHECK_MSG(IsUriEncoded(params.back().first) && IsUriEncoded(params.back().second),
                      Escape(query));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  TT_FUZZ_CHECK_MSG(std::is_sorted(params.begin(), params.end()), Escape(query));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t options_byte = data[0];
  const RawRequest raw = ParseRawRequest(tt::fuzz::AsText(data + 1, size - 1));

  tt::dynamodb::SigningOptions options;
  options.normalize_path = (options_byte & 1) != 0;
  options.add_content_sha256_header = (options_byte & 2) != 0;
  options.sign_session_token = (options_byte & 4) != 0;
  tt::dynamodb::AwsCredentials credentials{
      "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::nullopt};
  if ((options_byte & 8) != 0) {
    credentials.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  }
  std::optional<std::string> payload_hash;
  if ((options_byte & 16) != 0) payload_hash = *tt::dynamodb::Sha256Hex(raw.body);
  if ((options_byte & 32) != 0) payload_hash = "UNSIGNED-PAYLOAD";
  const tt::dynamodb::SigningScope scope{"us-east-1", "service",
                                         std::chrono::sys_days{std::chrono::year{2015} / 8 / 30} +
                                             std::chrono::hours{12} + std::chrono::minutes{36} +
                                             std::chrono::years{options_byte >> 6}};

  const RequestToSign request{
      raw.method, raw.path,
      raw.query,  raw.headers,
      raw.body,   payload_hash ? std::optional<std::string_view>(*payload_hash) : std::nullopt};
  const tt::Result<std::string> canonical =
      tt::dynamodb::CanonicalRequest(request, credentials, scope, options);
  TT_FUZZ_CHECK(canonical.ok());
  const tt::Result<std::vector<HttpHeader>> added =
      tt::dynamodb::SignRequest(request, credentials, scope, options);
  TT_FUZZ_CHECK(added.ok());
  const tt::Result<std::vector<HttpHeader>> added_again =
      tt::dynamodb::SignRequest(request, credentials, scope, options);
  TT_FUZZ_CHECK(added_again.ok() && *added_again == *added);

  // The Authorization header, last: credential, signed headers and signature.
  TT_FUZZ_CHECK(!added->empty() && added->back().name == "Authorization");
  const std::string& authorization = added->back().value;
  const size_t signed_at = authorization.find(", SignedHeaders=");
  const size_t signature_at = authorization.rfind(", Signature=");
  TT_FUZZ_CHECK(signed_at != std::string::npos && signature_at != std::string::npos &&
                signed_at < signature_at);
  const std::string_view signature =
      std::string_view(authorization)
          .substr(signature_at + std::string_view(", Signature=").size());
  TT_FUZZ_CHECK_MSG(signature.size() == 64 && IsLowerHex(signature), authorization);
  const std::string_view signed_headers =
      std::string_view(authorization).substr(signed_at + 16, signature_at - signed_at - 16);

  // Re-signing with the signer's headers already present signs exactly the same request.
  std::vector<HttpHeader> resent = raw.headers;
  resent.insert(resent.end(), added->begin(), added->end());
  RequestToSign again = request;
  again.headers = resent;
  const tt::Result<std::string> canonical_again =
      tt::dynamodb::CanonicalRequest(again, credentials, scope, options);
  TT_FUZZ_CHECK(canonical_again.ok());
  TT_FUZZ_CHECK_MSG(*canonical_again == *canonical,
                    Escape(*canonical) + "\n  vs " + Escape(*canonical_again));

  // The shape can be read only when the free-form parts hold no line break.
  const bool one_line_parts =
      raw.method.find_first_of("\r\n") == std::string::npos &&
      std::none_of(raw.headers.begin(), raw.headers.end(), [](const HttpHeader& header) {
        return header.name.find_first_of("\r\n;") != std::string::npos;
      });
  if (!one_line_parts) return 0;
  const std::vector<std::string_view> lines = SplitLines(*canonical);
  TT_FUZZ_CHECK_MSG(lines.size() >= 6, Escape(*canonical));
  TT_FUZZ_CHECK(lines[0] == raw.method);
  CheckCanonicalPath(lines[1], options.normalize_path, raw.path);
  CheckCanonicalQuery(lines[2]);
  // The query line is its own canonical form.
  RequestToSign requery = request;
  requery.query = lines[2];
  const tt::Result<std::string> canonical_requery =
      tt::dynamodb::CanonicalRequest(requery, credentials, scope, options);
  TT_FUZZ_CHECK(canonical_requery.ok());
  TT_FUZZ_CHECK_MSG(*canonical_requery == *canonical, Escape(raw.query));

  TT_FUZZ_CHECK(lines[lines.size() - 2] == signed_headers);
  const std::string_view payload = lines.back();
  if (payload_hash) {
    TT_FUZZ_CHECK(payload == *payload_hash);
  } else {
    TT_FUZZ_CHECK(payload == *tt::dynamodb::Sha256Hex(raw.body));
  }
  // Signed header names: lowercase, sorted, unique, and each begins a canonical header line.
  std::vector<std::string_view> names;
  for (std::string_view rest = signed_headers;;) {
    const size_t semicolon = rest.find(';');
    names.push_back(rest.substr(0, semicolon));
    if (semicolon == std::string_view::npos) break;
    rest.remove_prefix(semicolon + 1);
  }
  TT_FUZZ_CHECK_MSG(std::is_sorted(names.begin(), names.end()), std::string(signed_headers));
  TT_FUZZ_CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
  TT_FUZZ_CHECK(std::find(names.begin(), names.end(), "x-amz-date") != names.end());
  for (const std::string_view name : names) {
    TT_FUZZ_CHECK(name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string_view::npos);
  }
  return 0;
}
