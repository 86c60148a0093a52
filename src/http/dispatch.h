// The transport-free half of answering a request (after the Beast example's handle_request):
// route it, run the handler, and turn whatever comes back — a response, an Error or an
// exception — into the response the client gets.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "api/request.h"
#include "http/cors.h"
#include "http/router.h"
#include "log/logger.h"

namespace tt::http {

// The route label used in metrics and logs for a request no route took.
inline constexpr std::string_view kUnmatchedRoute = "unmatched";
// The route label of OPTIONS requests, which no route of the table serves.
inline constexpr std::string_view kPreflightRoute = "options";

struct Dispatched {
  api::Response response;
  std::string route;  // the matched template, or kUnmatchedRoute
};

// Never throws for anything a handler does: no route is a 404 ("no such route"), a path served
// only with other methods is a 405 with Allow, an Error is its contract body, and an exception
// is a generic 500 whose what() is logged at error level with the request id. OPTIONS on a path
// some route serves is answered here: a CORS preflight as `cors` says, any other OPTIONS 204 with
// Allow. A GET answered 200 with an ETag that the request's If-None-Match matches becomes a 304
// without a body. The CORS headers every answer carries are the caller's to add (CorsPolicy).
boost::asio::awaitable<Dispatched> Dispatch(const Router& router, const CorsPolicy& cors,
                                            api::Request request, Logger& logger);

}  // namespace tt::http
