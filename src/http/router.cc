#include "http/router.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace tt::http {
namespace {

// Splits "/a/b" into {"a", "b"}; "/" has no segments and "/a/" ends with an empty one (which
// no template segment accepts, so a trailing slash never matches). REQUIRES: path starts with '/'.
std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path == "/") return segments;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// Whether `a` is more specific than `b`: a literal where the other has a parameter, at the first
// position where they differ. Both have the same number of segments.
template <typename Template>
bool MoreSpecific(const Template& a, const Template& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i].is_param != b[i].is_param) return !a[i].is_param;
    if (a[i].suffix.size() != b[i].suffix.size()) return a[i].suffix.size() > b[i].suffix.size();
  }
  return false;
}

// Templates with the same shape (parameter names aside) are ambiguous with the same method.
template <typename Template>
bool SameShape(const Template& a, const Template& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].is_param != b[i].is_param || a[i].suffix != b[i].suffix) return false;
    if (!a[i].is_param && a[i].text != b[i].text) return false;
  }
  return true;
}

}  // namespace

Router::Router(std::vector<api::Route> routes) : routes_(std::move(routes)) {
  templates_.reserve(routes_.size());
  for (const api::Route& route : routes_) {
    const std::string& text = route.path_template;
    if (text.empty() || text.front() != '/') {
      throw std::invalid_argument("route template must start with '/': " + text);
    }
    Template pattern;
    for (std::string_view segment : SplitSegments(text)) {
      if (segment.empty()) {
        throw std::invalid_argument("route template has an empty segment: " + text);
      }
      const size_t close = segment.find('}');
      const bool param = segment.front() == '{' && close != std::string_view::npos && close > 1 &&
                         segment.find_first_of("{}", 1) == close &&
                         segment.find_first_of("{}", close + 1) == std::string_view::npos;
      if (param) {
        pattern.push_back({std::string(segment.substr(1, close - 1)), true,
                           std::string(segment.substr(close + 1))});
      } else if (segment.find_first_of("{}") == std::string_view::npos) {
        pattern.push_back({std::string(segment), false});
      } else {
        throw std::invalid_argument("route template has a malformed parameter: " + text);
      }
    }
    for (size_t i = 0; i < templates_.size(); ++i) {
      if (routes_[i].method == route.method && SameShape(templates_[i], pattern)) {
        throw std::invalid_argument("two routes for " + route.method + " " + text);
      }
    }
    templates_.push_back(std::move(pattern));
  }
}

bool Router::Matches(const Template& pattern, const std::vector<std::string_view>& segments,
                     api::Params* params) {
  if (pattern.size() != segments.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const Segment& expected = pattern[i];
    if (!expected.is_param) {
      if (expected.text != segments[i]) return false;
    } else if (segments[i].size() <= expected.suffix.size() ||
               !segments[i].ends_with(expected.suffix)) {
      return false;
    }
  }
  if (params != nullptr) {
    params->clear();
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (!pattern[i].is_param) continue;
      params->emplace_back(pattern[i].text,
                           segments[i].substr(0, segments[i].size() - pattern[i].suffix.size()));
    }
  }
  return true;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  if (path.empty() || path.front() != '/') return match;
  const std::vector<std::string_view> segments = SplitSegments(path);

  const Template* best = nullptr;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (!Matches(templates_[i], segments, nullptr)) continue;
    if (routes_[i].method == method) {
      if (best == nullptr || MoreSpecific(templates_[i], *best)) {
        best = &templates_[i];
        match.route = &routes_[i];
      }
    } else {
      match.allowed_methods.push_back(routes_[i].method);
    }
  }
  if (match.route != nullptr) {
    match.allowed_methods.clear();
    Matches(*best, segments, &match.path_params);
    return match;
  }
  std::sort(match.allowed_methods.begin(), match.allowed_methods.end());
  match.allowed_methods.erase(
      std::unique(match.allowed_methods.begin(), match.allowed_methods.end()),
      match.allowed_methods.end());
  return match;
}

}  // namespace tt::http
