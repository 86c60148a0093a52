// The route table: every path the API serves, who may call it, and its handler.
#pragma once

#include <span>
#include <vector>

#include "api/request.h"
#include "api/services.h"

namespace tt::api {

// One row of the route table, before it is bound to the services.
struct RouteSpec {
  const char* method;
  const char* path_template;
  Access access;
  boost::asio::awaitable<Result<Response>> (*handler)(const Services&, const Request&);
};

// Every route the API serves (the server adds GET /metrics, which belongs to src/http).
std::span<const RouteSpec> RouteTable();

// The route table bound to `services`, which must outlive the routes.
std::vector<Route> MakeRoutes(const Services& services);

}  // namespace tt::api
