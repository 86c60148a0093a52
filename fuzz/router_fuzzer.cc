// The HTTP edge: a raw request parsed by Beast the way src/http/serve_connection.cc reads it,
// mapped to an api::Request (src/http/request_mapping.h) and routed by the real route table
// (api::RouteTable() through tt::http::Router), then answered as Dispatch answers a request no
// route takes (404, or 405 with Allow) and turned back into a Beast response.
//
// Input: the bytes of an HTTP/1.x request. The first line is also routed raw (method up to the
// first space, path up to the next), so Find() sees paths Beast or Boost.URL would refuse.
// Invariants: nothing crashes or throws; a match has the method asked for and its template
// with the captured parameters spells the path; a 405's Allow lists exactly the methods that
// match; a literal template wins over a parameter; the mapped path has no NUL; a response never
// carries a header that breaks the framing.
#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/request.h"
#include "api/routes.h"
#include "fuzz/fuzz_check.h"
#include "http/error_response.h"
#include "http/request_mapping.h"
#include "http/router.h"

namespace {

namespace bhttp = boost::beast::http;
using tt::Error;
using tt::ErrorCode;
using tt::fuzz::Escape;
using tt::http::Router;

// Routing never runs a handler; one that did would be a bug in this fuzzer.
boost::asio::awaitable<tt::Result<tt::api::Response>> NeverCalled(const tt::api::Request&) {
  std::abort();
}

// The server's routes: the API's table plus GET /metrics, which src/app adds.
const Router& TheRouter() {
  static const Router router = [] {
    std::vector<tt::api::Route> routes;
    for (const tt::api::RouteSpec& spec : tt::api::RouteTable()) {
      routes.push_back({spec.method, spec.path_template, spec.access, NeverCalled});
    }
    routes.push_back({"GET", "/metrics", tt::api::Access::kPublic, NeverCalled});
    return Router(std::move(routes));
  }();
  return router;
}

const std::set<std::string>& RouteMethods() {
  static const std::set<std::string> methods = [] {
    std::set<std::string> out;
    for (const tt::api::Route& route : TheRouter().routes()) out.insert(route.method);
    return out;
  }();
  return methods;
}

// The template of `route` with each `{name}` replaced by its captured value.
std::string Spell(const tt::api::Route& route, const tt::api::Params& params) {
  std::string path;
  size_t next_param = 0;
  std::string_view rest = route.path_template;
  rest.remove_prefix(1);
  while (true) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    path += '/';
    if (segment.starts_with('{')) {
      TT_FUZZ_CHECK(next_param < params.size());
      TT_FUZZ_CHECK(params[next_param].first == segment.substr(1, segment.size() - 2));
      TT_FUZZ_CHECK(!params[next_param].second.empty());
      path += params[next_param++].second;
    } else {
      path += segment;
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  TT_FUZZ_CHECK(next_param == params.size());
  return path;
}

void CheckFind(std::string_view method, std::string_view path) {
  const Router& router = TheRouter();
  const Router::Match match = router.Find(method, path);
  if (match.route != nullptr) {
    TT_FUZZ_CHECK(match.route->method == method);
    TT_FUZZ_CHECK(match.allowed_methods.empty());
    TT_FUZZ_CHECK_MSG(Spell(*match.route, match.path_params) == path,
                      Escape(path) + " via " + match.route->path_template);
    // A template that is the path itself, all literal, beats every template with a parameter.
    for (const tt::api::Route& route : router.routes()) {
      if (route.method == method && route.path_template == path) {
        TT_FUZZ_CHECK_MSG(match.route == &route, Escape(path));
      }
    }
    return;
  }
  TT_FUZZ_CHECK(match.path_params.empty());
  TT_FUZZ_CHECK(std::is_sorted(match.allowed_methods.begin(), match.allowed_methods.end()));
  TT_FUZZ_CHECK(std::adjacent_find(match.allowed_methods.begin(), match.allowed_methods.end()) ==
                match.allowed_methods.end());
  for (const std::string& other : RouteMethods()) {
    const bool allowed = std::find(match.allowed_methods.begin(), match.allowed_methods.end(),
                                   other) != match.allowed_methods.end();
    TT_FUZZ_CHECK(other != method || !allowed);
    if (other == method) continue;
    TT_FUZZ_CHECK_MSG((router.Find(other, path).route != nullptr) == allowed,
                      other + " " + Escape(path));
  }
}

// The first line's method and target, as a client wrote them.
void CheckRawRequestLine(std::string_view input) {
  const std::string_view line = input.substr(0, input.find_first_of("\r\n"));
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return;
  const std::string_view method = line.substr(0, space);
  std::string_view target = line.substr(space + 1);
  target = target.substr(0, target.find(' '));
  CheckFind(method, target);
  CheckFind(method, target.substr(0, target.find('?')));
}

// The response the client gets, as written and read back: one message, the headers given.
void CheckResponse(tt::api::Response response, unsigned version, bool keep_alive,
                   const std::string& request_id) {
  const int status = response.status;
  const tt::http::WireResponse wire =
      tt::http::ToWireResponse(std::move(response), version, keep_alive, request_id);
  TT_FUZZ_CHECK(wire.status == (status >= 200 && status <= 599 ? status : 500));
  const std::string text = wire.head + wire.body;

  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.skip(wire.status == 204 || wire.status == 304);
  boost::beast::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(text), ec);
  TT_FUZZ_CHECK_MSG(!ec && parser.is_done() && used == text.size(),
                    ec.message() + ": " + Escape(text));
  TT_FUZZ_CHECK(parser.get().result_int() == static_cast<unsigned>(wire.status));
  TT_FUZZ_CHECK(parser.get()["X-Request-Id"] == request_id);
  TT_FUZZ_CHECK(parser.get().body() == wire.body);
  // Every line of the head between the status line and the blank line is one header.
  size_t headers_sent = 0;
  for (size_t at = wire.head.find("\r\n"); at + 4 < wire.head.size();
       at = wire.head.find("\r\n", at + 2)) {
    ++headers_sent;
  }
  size_t headers_read = 0;
  for (auto it = parser.get().begin(); it != parser.get().end(); ++it) ++headers_read;
  TT_FUZZ_CHECK_MSG(headers_sent == headers_read, Escape(text));
}

// Handlers never set the framing headers (ToWireResponse drops them), so they are not echoed.
void AddEchoed(std::string_view name, std::string_view value,
               std::vector<std::pair<std::string, std::string>>& echoed) {
  for (const std::string_view framing : {"content-length", "transfer-encoding", "connection"}) {
    if (boost::beast::iequals(name, framing)) return;
  }
  echoed.emplace_back(std::string(name), std::string(value));
}

void CheckHttpRequest(std::string_view input) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  std::string_view rest = input;
  while (!rest.empty() && !parser.is_done()) {
    const size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec || used == 0) break;
  }
  if (ec == bhttp::error::need_more || (!ec && !parser.is_done())) {
    ec = {};
    parser.put_eof(ec);  // the client closed the connection here
  }
  if (!parser.is_header_done()) return;

  // What the server does with every request whose header it read, complete or not.
  const std::string request_id = tt::http::RequestIdFor(parser.get());
  TT_FUZZ_CHECK_MSG(tt::http::IsValidRequestId(request_id), Escape(request_id));
  const bool framing_ok = tt::http::HasUnambiguousFraming(parser.get(), parser.chunked());
  if (ec || !parser.is_done() || !framing_ok) return;

  tt::http::BeastRequest message = parser.release();
  const unsigned version = message.version();
  const bool keep_alive = message.keep_alive();
  const std::string method(message.method_string());
  const std::string body = message.body();
  // Extra headers for a handler's answer: the request's own, and `name:value` lines of the body
  // (any bytes at all), which the mapping must drop when malformed.
  std::vector<std::pair<std::string, std::string>> echoed;
  for (const auto& field : message) {
    AddEchoed(field.name_string(), field.value(), echoed);
  }
  for (std::string_view lines = message.body(); !lines.empty();) {
    const std::string_view line = lines.substr(0, lines.find('\n'));
    lines.remove_prefix(std::min(lines.size(), line.size() + 1));
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      AddEchoed(line.substr(0, colon), line.substr(colon + 1), echoed);
    }
  }

  const std::string content_type(message[bhttp::field::content_type]);
  const std::string authorization(message[bhttp::field::authorization]);
  tt::Result<tt::api::Request> request = tt::http::ToApiRequest(std::move(message), request_id);
  if (!request) {
    TT_FUZZ_CHECK(request.error().code == ErrorCode::kBadRequest ||
                  request.error().code == ErrorCode::kNotFound);
    CheckResponse(tt::http::ErrorResponse(request.error()), version, keep_alive, request_id);
    return;
  }
  TT_FUZZ_CHECK(request->method == method);
  TT_FUZZ_CHECK(request->body == body);
  TT_FUZZ_CHECK(request->request_id == request_id);
  TT_FUZZ_CHECK(request->path.starts_with('/'));
  TT_FUZZ_CHECK(request->json_body == tt::http::IsJsonMediaType(content_type));
  if (request->credentials.kind == tt::api::Credentials::Kind::kToken) {
    TT_FUZZ_CHECK(!request->credentials.token.empty() && request->credentials.token.size() <= 512);
    TT_FUZZ_CHECK(authorization.find(request->credentials.token) != std::string::npos);
  }
  TT_FUZZ_CHECK((request->credentials.kind == tt::api::Credentials::Kind::kNone) ==
                authorization.empty());
  TT_FUZZ_CHECK_MSG(request->path.find('\0') == std::string::npos, Escape(request->path));
  CheckFind(request->method, request->path);

  // Dispatch's answers for a request no route takes, and a handler's answer with extra headers.
  const Router::Match match = TheRouter().Find(request->method, request->path);
  if (match.route == nullptr) {
    tt::api::Response response =
        match.allowed_methods.empty()
            ? tt::http::ErrorResponse(Error::NotFound("no such route"))
            : tt::http::ErrorResponse(
                  Error{ErrorCode::kMethodNotAllowed, "method not allowed on this path", {}, {}});
    CheckResponse(std::move(response), version, keep_alive, request_id);
  }
  tt::api::Response echo;
  echo.status = body.size() >= 2 ? static_cast<unsigned char>(body[0]) * 4 +
                                       static_cast<unsigned char>(body[1]) % 4
                                 : 200;
  echo.content_type = content_type;
  echo.body = body;
  echo.headers = std::move(echoed);
  CheckResponse(std::move(echo), version, keep_alive, request_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = tt::fuzz::AsText(data, size);
  CheckRawRequestLine(input);
  CheckHttpRequest(input);
  return 0;
}
