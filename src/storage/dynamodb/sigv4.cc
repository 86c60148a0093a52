#include "storage/dynamodb/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <utility>

namespace tt::dynamodb {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kScopeTerminator = "aws4_request";

// Set by SignRequest itself: a copy in the input is a leftover from an earlier signing.
constexpr std::array<std::string_view, 4> kHeadersTheSignerSets = {
    "authorization", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"};
// Hop-by-hop or rewritten on the way (proxies, tracing), so a signature over them would break;
// the same list as aws-c-auth's.
constexpr std::array<std::string_view, 8> kUnsignedHeaders = {"connection",
                                                              "expect",
                                                              "sec-websocket-key",
                                                              "sec-websocket-protocol",
                                                              "sec-websocket-version",
                                                              "upgrade",
                                                              "user-agent",
                                                              "x-amzn-trace-id"};

using Digest = std::array<unsigned char, 32>;

bool Contains(std::span<const std::string_view> names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string Hex(std::span<const unsigned char> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xF];
  }
  return out;
}

Result<Digest> Sha256(std::string_view data) {
  Digest digest;
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    return Error::Internal();
  }
  return digest;
}

Result<Digest> HmacSha256(std::span<const unsigned char> key, std::string_view data) {
  if (key.size() > static_cast<size_t>(INT_MAX)) return Error::Internal();
  Digest mac;
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
           &size) == nullptr ||
      size != mac.size()) {
    return Error::Internal();
  }
  return mac;
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` if asked),
// with uppercase hex digits as SigV4 requires.
void AppendUriEncoded(std::string_view text, bool keep_slash, std::string& out) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0xF];
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Undoes %XX escapes; a `%` not followed by two hex digits stays a literal `%`.
std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string CanonicalPath(std::string_view path, bool normalize) {
  if (path.empty()) return "/";
  std::string out;
  if (!normalize) {
    AppendUriEncoded(path, /*keep_slash=*/true, out);
    return out;
  }
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  // As aws-c-auth does: a trailing `/` survives only when the path itself ends with one.
  const bool trailing_slash = path.back() == '/';
  out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    AppendUriEncoded(segments[i], /*keep_slash=*/false, out);
    if (i + 1 < segments.size() || trailing_slash) out += '/';
  }
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view param = query.substr(start, end - start);
    start = end + 1;
    if (param.empty()) continue;
    const size_t equals = param.find('=');
    const std::string_view key = param.substr(0, equals);
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view() : param.substr(equals + 1);
    std::pair<std::string, std::string>& encoded = params.emplace_back();
    AppendUriEncoded(PercentDecode(key), /*keep_slash=*/false, encoded.first);
    AppendUriEncoded(PercentDecode(value), /*keep_slash=*/false, encoded.second);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trimmed, with each run of whitespace inside (including folded lines) turned into one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// Everything SignRequest computes before the signature itself.
struct Prepared {
  std::string amz_date;
  std::string payload_hash;
  std::string signed_headers;
  std::string canonical_request;
};

bool HasSessionToken(const AwsCredentials& credentials) {
  return credentials.session_token.has_value() && !credentials.session_token->empty();
}

Result<Prepared> Prepare(const RequestToSign& request, const AwsCredentials& credentials,
                         const SigningScope& scope, const SigningOptions& options) {
  Prepared prepared;
  prepared.amz_date = AmzDate(scope.time);
  if (request.payload_hash.has_value()) {
    prepared.payload_hash = std::string(*request.payload_hash);
  } else {
    Result<std::string> hash = Sha256Hex(request.body);
    if (!hash.ok()) return std::move(hash).error();
    prepared.payload_hash = std::move(hash).value();
  }

  std::vector<HttpHeader> headers;
  headers.reserve(request.headers.size() + 3);
  for (const HttpHeader& header : request.headers) {
    std::string name = LowerAscii(header.name);
    if (Contains(kHeadersTheSignerSets, name) || Contains(kUnsignedHeaders, name)) continue;
    headers.push_back({std::move(name), CanonicalHeaderValue(header.value)});
  }
  headers.push_back({"x-amz-date", prepared.amz_date});
  if (HasSessionToken(credentials) && options.sign_session_token) {
    headers.push_back({"x-amz-security-token", CanonicalHeaderValue(*credentials.session_token)});
  }
  if (options.add_content_sha256_header) {
    headers.push_back({"x-amz-content-sha256", prepared.payload_hash});
  }
  // Stable, so that the values of a repeated name keep the order in which they are sent.
  std::stable_sort(headers.begin(), headers.end(),
                   [](const HttpHeader& a, const HttpHeader& b) { return a.name < b.name; });

  std::string canonical_headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    const bool same_as_previous = i > 0 && headers[i].name == headers[i - 1].name;
    if (same_as_previous) {
      canonical_headers += ',';
    } else {
      if (i > 0) canonical_headers += '\n';
      canonical_headers += headers[i].name;
      canonical_headers += ':';
      if (!prepared.signed_headers.empty()) prepared.signed_headers += ';';
      prepared.signed_headers += headers[i].name;
    }
    canonical_headers += headers[i].value;
  }
  canonical_headers += '\n';

  std::string& canonical = prepared.canonical_request;
  canonical.append(request.method).append("\n");
  canonical.append(CanonicalPath(request.path, options.normalize_path)).append("\n");
  canonical.append(CanonicalQuery(request.query)).append("\n");
  canonical.append(canonical_headers).append("\n");
  canonical.append(prepared.signed_headers).append("\n");
  canonical.append(prepared.payload_hash);
  return prepared;
}

// `<date>/<region>/<service>/aws4_request`.
std::string CredentialScope(const SigningScope& scope) {
  std::string out = AmzDate(scope.time).substr(0, 8);
  out.append("/").append(scope.region).append("/").append(scope.service).append("/");
  out.append(kScopeTerminator);
  return out;
}

std::span<const unsigned char> Bytes(std::string_view text) {
  return {reinterpret_cast<const unsigned char*>(text.data()), text.size()};
}

}  // namespace

Result<std::string> Sha256Hex(std::string_view data) {
  Result<Digest> digest = Sha256(data);
  if (!digest.ok()) return std::move(digest).error();
  return Hex(*digest);
}

std::string AmzDate(std::chrono::system_clock::time_point time) {
  using std::chrono::days;
  using std::chrono::floor;
  using std::chrono::seconds;
  const auto second = floor<seconds>(time);
  const auto day = floor<days>(second);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss clock(second - day);
  std::array<char, 64> buffer;
  std::snprintf(buffer.data(), buffer.size(), "%04d%02u%02uT%02d%02d%02dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return buffer.data();
}

Result<std::string> CanonicalRequest(const RequestToSign& request,
                                     const AwsCredentials& credentials, const SigningScope& scope,
                                     const SigningOptions& options) {
  Result<Prepared> prepared = Prepare(request, credentials, scope, options);
  if (!prepared.ok()) return std::move(prepared).error();
  return std::move(prepared->canonical_request);
}

Result<std::string> StringToSign(std::string_view canonical_request, const SigningScope& scope) {
  Result<std::string> hash = Sha256Hex(canonical_request);
  if (!hash.ok()) return std::move(hash).error();
  std::string out(kAlgorithm);
  out.append("\n").append(AmzDate(scope.time));
  out.append("\n").append(CredentialScope(scope));
  out.append("\n").append(*hash);
  return out;
}

Result<std::string> Signature(std::string_view string_to_sign, std::string_view secret_access_key,
                              const SigningScope& scope) {
  const std::string secret = "AWS4" + std::string(secret_access_key);
  const std::string date = AmzDate(scope.time).substr(0, 8);
  // kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
  Result<Digest> key = HmacSha256(Bytes(secret), date);
  for (std::string_view part : {std::string_view(scope.region), std::string_view(scope.service),
                                kScopeTerminator, string_to_sign}) {
    if (!key.ok()) return std::move(key).error();
    key = HmacSha256(*key, part);
  }
  if (!key.ok()) return std::move(key).error();
  return Hex(*key);
}

Result<std::vector<HttpHeader>> SignRequest(const RequestToSign& request,
                                            const AwsCredentials& credentials,
                                            const SigningScope& scope,
                                            const SigningOptions& options) {
  Result<Prepared> prepared = Prepare(request, credentials, scope, options);
  if (!prepared.ok()) return std::move(prepared).error();
  Result<std::string> string_to_sign = StringToSign(prepared->canonical_request, scope);
  if (!string_to_sign.ok()) return std::move(string_to_sign).error();
  Result<std::string> signature = Signature(*string_to_sign, credentials.secret_access_key, scope);
  if (!signature.ok()) return std::move(signature).error();

  std::vector<HttpHeader> added;
  if (HasSessionToken(credentials)) {
    added.push_back({"X-Amz-Security-Token", *credentials.session_token});
  }
  added.push_back({"X-Amz-Date", prepared->amz_date});
  if (options.add_content_sha256_header) {
    added.push_back({"x-amz-content-sha256", prepared->payload_hash});
  }
  std::string authorization(kAlgorithm);
  authorization.append(" Credential=").append(credentials.access_key_id);
  authorization.append("/").append(CredentialScope(scope));
  authorization.append(", SignedHeaders=").append(prepared->signed_headers);
  authorization.append(", Signature=").append(*signature);
  added.push_back({"Authorization", std::move(authorization)});
  return added;
}

}  // namespace tt::dynamodb
