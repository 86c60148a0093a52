// Writes to one existing resource (PATCH and DELETE) and the races between them: the flow every
// such handler follows is written once here, and a handler states only what differs (how the
// resource is found, whose it is, how a body changes it, how it is written).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "api/auth.h"
#include "api/encoding.h"
#include "api/json_body.h"
#include "api/request.h"
#include "api/services.h"
#include "domain/error.h"

namespace tt::api {

// How many times a PATCH without If-Match is tried before it answers 409.
inline constexpr int kPatchAttempts = 5;

// Runs `attempt()`, an awaitable read-modify-write of one resource (read it, check, apply the
// patch, write it on condition that its version is still the one read), and answers what it
// answers, except in one case. A PATCH without If-Match applies to whatever version is current:
// when its conditional write loses a race with another writer (the store answers
// kPreconditionFailed), the whole attempt is made again, on the new version, up to
// kPatchAttempts times, and then answers 409 naming `resource`. With If-Match the client named
// the version it had read, so the 412 stands.
template <typename Attempt>
boost::asio::awaitable<Result<Response>> RetryLostRaces(const Request& request,
                                                        std::string resource, Attempt attempt) {
  for (int attempts = 1;; ++attempts) {
    Result<Response> response = co_await attempt();
    if (response.ok() || response.error().code != ErrorCode::kPreconditionFailed ||
        IfMatchVersion(request).has_value()) {
      co_return response;
    }
    if (attempts == kPatchAttempts) {
      co_return Error::Conflict("the " + resource + " is being changed by others, try again");
    }
  }
}

// The resource a PATCH or DELETE acts on, and whose it is.
template <typename Resource>
struct WriteTarget {
  // Named in the 409 of a PATCH that kept losing races: "the <name> is being changed...".
  std::string name;
  // The resource the request's path names; kNotFound when there is none.
  std::function<Async<Result<Resource>>()> load;
  // The id of the user who owns `resource`, whom CanActFor checks the caller against.
  std::function<std::string_view(const Resource& resource)> owner;
};

// What a PATCH of one resource does besides the common flow of PatchResource.
template <typename Resource>
struct PatchSteps {
  WriteTarget<Resource> target;
  // Applies the request's body to `updated`, a copy of `current`: decoding, the domain's rules,
  // and any check that needs the store. An error is the answer.
  std::function<Async<Status>(const Principal& caller, const Resource& current, Resource& updated)>
      change;
  // Writes `updated` on condition that the stored version is still `expected_version`.
  std::function<Async<Status>(const Resource& updated, int64_t expected_version)> write;
  // The JSON of the changed resource, for the answer.
  std::function<std::string(const Resource& updated)> to_json;
};

// The request's body decoded by `decode` and applied to `resource` by `apply`, with the
// decoding's field errors in front of the domain's (WithDecodeErrors). For creations and PATCHes.
template <typename Patch, typename Resource>
Status ApplyBody(const Request& request, Result<Patch> (*decode)(const Request&, FieldErrors&),
                 Status (*apply)(const Patch&, bool, Resource&), bool creating,
                 Resource& resource) {
  FieldErrors decode_errors;
  Result<Patch> patch = decode(request, decode_errors);
  if (!patch) return std::move(patch).error();
  return WithDecodeErrors(std::move(decode_errors), apply(*patch, creating, resource));
}

// A PatchSteps::change that applies the request's body as ApplyBody does, and nothing more.
template <typename Patch, typename Resource>
auto ApplyBodyChange(const Request& request, Result<Patch> (*decode)(const Request&, FieldErrors&),
                     Status (*apply)(const Patch&, bool, Resource&)) {
  return [&request, decode, apply](const Principal&, const Resource&,
                                   Resource& updated) -> Async<Status> {
    co_return ApplyBody(request, decode, apply, /*creating=*/false, updated);
  };
}

// The resource `target` names, once the caller may change it and If-Match (when given) names its
// current version: kForbidden for someone else's, kPreconditionFailed for a stale If-Match.
template <typename Resource>
Async<Result<Resource>> LoadForWrite(const Request& request, const Principal& caller,
                                     const WriteTarget<Resource>& target) {
  Result<Resource> current = co_await target.load();
  if (!current) co_return current;
  if (!CanActFor(caller, target.owner(*current))) co_return Error::Forbidden();
  if (Status fresh = CheckIfMatch(request, current->version); !fresh) {
    co_return std::move(fresh).error();
  }
  co_return current;
}

// PATCH by `caller` (authenticated already): one read-modify-write (LoadForWrite, `change`, the
// next version and updated_at, the conditional `write`), again when it loses a race
// (RetryLostRaces); answers 200 with the changed resource and its ETag.
template <typename Resource>
Async<Result<Response>> PatchResourceAs(const Services& services, const Request& request,
                                        const Principal& caller,
                                        const PatchSteps<Resource>& steps) {
  const auto attempt = [&]() -> Async<Result<Response>> {
    Result<Resource> current = co_await LoadForWrite(request, caller, steps.target);
    if (!current) co_return std::move(current).error();
    Resource updated = *current;
    if (Status changed = co_await steps.change(caller, *current, updated); !changed) {
      co_return std::move(changed).error();
    }
    updated.version = current->version + 1;
    updated.updated_at = services.clock.Now();
    if (Status written = co_await steps.write(updated, current->version); !written) {
      co_return std::move(written).error();
    }
    co_return ResourceResponse(200, steps.to_json(updated), updated.version);
  };
  co_return co_await RetryLostRaces(request, steps.target.name, attempt);
}

// PATCH: authenticates the caller, then PatchResourceAs.
template <typename Resource>
Async<Result<Response>> PatchResource(const Services& services, const Request& request,
                                      const PatchSteps<Resource>& steps) {
  Result<Principal> caller = co_await Authenticate(services, request);
  if (!caller) co_return std::move(caller).error();
  co_return co_await PatchResourceAs(services, request, *caller, steps);
}

// DELETE by `caller` (authenticated already): LoadForWrite, then `remove(id,
// IfMatchVersion(request))`, an awaitable Status that deletes on condition of the version when
// If-Match names one; answers 204.
template <typename Resource, typename Remove>
Async<Result<Response>> DeleteResourceAs(const Request& request, const Principal& caller,
                                         WriteTarget<Resource> target, Remove remove) {
  Result<Resource> current = co_await LoadForWrite(request, caller, target);
  if (!current) co_return std::move(current).error();
  if (Status deleted = co_await remove(current->id, IfMatchVersion(request)); !deleted) {
    co_return std::move(deleted).error();
  }
  co_return NoContent();
}

// DELETE: authenticates the caller, then DeleteResourceAs.
template <typename Resource, typename Remove>
Async<Result<Response>> DeleteResource(const Services& services, const Request& request,
                                       WriteTarget<Resource> target, Remove remove) {
  Result<Principal> caller = co_await Authenticate(services, request);
  if (!caller) co_return std::move(caller).error();
  co_return co_await DeleteResourceAs(request, *caller, std::move(target), std::move(remove));
}

}  // namespace tt::api
