#include "api/request.h"

namespace tt::api {

bool EntityTagList::Matches(std::string_view etag) const {
  if (any) return true;
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  for (const std::string& tag : opaque_tags) {
    if (tag == etag) return true;
  }
  return false;
}

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
