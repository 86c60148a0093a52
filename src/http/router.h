// Maps a method and a path to one of the API's routes. Templates use OpenAPI syntax
// (`/competitions/{id}`); a `{name}` segment matches one non-empty path segment.
// Immutable after construction, so it is safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/request.h"

namespace tt::http {

class Router {
 public:
  explicit Router(std::vector<api::Route> routes);

  struct Match {
    const api::Route* route = nullptr;  // null when nothing matched
    api::Params path_params;
    // When the path matched some template but not with this method: the methods it allows,
    // for a 405 with an Allow header. Empty for a path no route has (404).
    std::vector<std::string> allowed_methods;
  };
  // `path` is percent-decoded and has no query. A trailing slash never matches (except "/").
  Match Find(std::string_view method, std::string_view path) const;

  const std::vector<api::Route>& routes() const { return routes_; }

 private:
  std::vector<api::Route> routes_;
};

}  // namespace tt::http
