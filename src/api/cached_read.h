// CachedRead: a read answered from the response cache (api/response_cache.h) when it holds the
// JSON of the same read made since the last write that could change it.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "api/encoding.h"
#include "api/handlers.h"
#include "api/response_cache.h"
#include "api/services.h"

namespace tt::api {

// Answers the JSON kept under `key` when it was read at the store's current generation of
// `scope`; otherwise answers `read()` (a Reply), and keeps its body when it is a plain 200 (no
// extra headers). Callers check access first: the key names what was read, not who asked.
// Nothing is kept without a cache or on a store that gives no generation.
template <typename Read>
Reply CachedRead(const Services& services, ReadScope scope, std::string key, Read read) {
  std::optional<uint64_t> generation;
  if (services.responses != nullptr) generation = services.store.ReadGeneration(scope);
  if (generation.has_value()) {
    if (std::shared_ptr<const std::string> json = services.responses->Find(key, *generation)) {
      co_return JsonResponse(200, *json);
    }
  }
  Result<Response> response = co_await read();
  if (generation.has_value() && response.ok() && response->status == 200 &&
      response->headers.empty()) {
    services.responses->Insert(std::move(key), *generation, response->body);
  }
  co_return response;
}

}  // namespace tt::api
