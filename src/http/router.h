// Maps a method and a path to one of the API's routes. Templates use OpenAPI syntax
// (`/competitions/{id}`); a `{name}` segment matches one non-empty path segment, and a
// `{name}.ext` segment one that ends with the literal `.ext` after a non-empty value (the
// parameter is the value without it), as in `/calendars/{token}.ics`.
// Immutable after construction, so it is safe to share between threads.
//
// When several templates match a path, the one with a literal segment at the first position
// where they differ wins, so `/users/me` beats `/users/{id}` whatever the order of the routes
// (and a parameter with a suffix beats one without).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/request.h"

namespace tt::http {

class Router {
 public:
  // Throws std::invalid_argument for a malformed template (not starting with '/', an empty or
  // unclosed `{}`) or for two routes with the same method and template: both are start-up bugs.
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
  // One path segment of a template: a literal to compare, or a parameter to capture.
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool is_param = false;
    std::string suffix;  // a parameter's literal ending, e.g. ".ics"; empty for most
  };
  using Template = std::vector<Segment>;

  // Whether `segments` fits `pattern`; fills `params` when it does.
  static bool Matches(const Template& pattern, const std::vector<std::string_view>& segments,
                      api::Params* params);

  std::vector<api::Route> routes_;
  std::vector<Template> templates_;  // templates_[i] is routes_[i].path_template, parsed
};

}  // namespace tt::http
