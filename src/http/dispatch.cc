#include "http/dispatch.h"

#include <algorithm>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/this_coro.hpp>
#include <exception>
#include <utility>

#include "http/error_response.h"

namespace tt::http {
namespace {

// A what() may hold anything; keep it on one log line.
std::string OneLine(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string joined;
  for (const std::string& item : items) {
    if (!joined.empty()) joined += separator;
    joined += item;
  }
  return joined;
}

// A GET whose answer carries an ETag that If-None-Match matches is answered 304 without a body
// (RFC 9110 section 13.1.2): the client's copy is current. Only the headers a 304 may carry stay.
void AnswerNotModifiedWhenCurrent(const api::Request& request, api::Response& response) {
  if (request.method != "GET" || response.status != 200 || !request.if_none_match) return;
  const auto etag = std::find_if(response.headers.begin(), response.headers.end(),
                                 [](const auto& header) { return header.first == "ETag"; });
  if (etag == response.headers.end() || !request.if_none_match->Matches(etag->second)) return;
  response.status = 304;
  response.body.clear();
  response.content_type.clear();
  std::erase_if(response.headers, [](const auto& header) {
    return header.first != "ETag" && header.first != "Cache-Control" && header.first != "Vary" &&
           header.first != "Expires";
  });
}

}  // namespace

boost::asio::awaitable<Dispatched> Dispatch(const Router& router, const CorsPolicy& cors,
                                            api::Request request, Logger& logger) {
  Router::Match match = router.Find(request.method, request.path);
  if (match.route == nullptr) {
    if (match.allowed_methods.empty()) {
      co_return Dispatched{ErrorResponse(Error::NotFound("no such route")),
                           std::string(kUnmatchedRoute)};
    }
    if (request.method == "OPTIONS") {
      if (!request.origin.empty() && !request.access_control_request_method.empty()) {
        co_return Dispatched{cors.PreflightResponse(request.origin, match.allowed_methods),
                             std::string(kPreflightRoute)};
      }
      api::Response response;
      response.status = 204;
      response.content_type.clear();
      match.allowed_methods.push_back("OPTIONS");
      response.headers.emplace_back("Allow", Join(match.allowed_methods, ", "));
      co_return Dispatched{std::move(response), std::string(kPreflightRoute)};
    }
    api::Response response = ErrorResponse(
        Error{ErrorCode::kMethodNotAllowed, "method not allowed on this path", {}, {}});
    response.headers.emplace_back("Allow", Join(match.allowed_methods, ", "));
    co_return Dispatched{std::move(response), std::string(kUnmatchedRoute)};
  }

  const api::Route& route = *match.route;
  request.path_params = std::move(match.path_params);
  std::string failure;
  try {
    Result<api::Response> result = co_await route.handler(request);
    if (result) {
      AnswerNotModifiedWhenCurrent(request, *result);
      co_return Dispatched{std::move(*result), route.path_template};
    }
    co_return Dispatched{ErrorResponse(result.error()), route.path_template};
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "an exception not derived from std::exception";
  }
  // Cancelled (the client left, or shutdown ran out of patience): every co_await after the
  // cancellation throws, and nobody reads the answer.
  boost::asio::cancellation_state cancellation =
      co_await boost::asio::this_coro::cancellation_state;
  if (cancellation.cancelled() != boost::asio::cancellation_type::none) {
    co_return Dispatched{ErrorResponse(Error::Unavailable("request cancelled")),
                         route.path_template};
  }
  // The client sees only a generic 500; the reason stays in the log, found by its request id.
  logger.Error("request_id=" + request.request_id + " handler for " + route.method + " " +
               route.path_template + " threw: " + OneLine(failure));
  co_return Dispatched{ErrorResponse(Error::Internal()), route.path_template};
}

}  // namespace tt::http
