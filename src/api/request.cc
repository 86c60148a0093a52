#include "api/request.h"

namespace tt::api {

std::string_view Request::PathParam(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  std::optional<std::string_view> found;
  for (const auto& [key, value] : query) {
    if (key == name) found = value;
  }
  return found;
}

}  // namespace tt::api
