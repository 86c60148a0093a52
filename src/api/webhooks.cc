// /webhooks: endpoints that change records are delivered to (docs/WEBHOOKS.md), their signing
// secrets and their deliveries. Admins only, as an account's webhooks are at Stripe and GitHub:
// an endpoint sees every change, follows included.
#include "api/auth.h"
#include "api/conditional_write.h"
#include "api/decoding.h"
#include "api/encoding.h"
#include "api/handlers.h"
#include "api/json_body.h"
#include "domain/ids.h"
#include "security/webhook_signature.h"
#include "webhooks/url_policy.h"

namespace tt::api {
namespace {

// How long a rotated-out secret keeps signing beside the new one.
constexpr std::chrono::hours kPreviousSecretLifetime{24};

// The caller, when an admin; the error to answer otherwise. 503 when this server has no key to
// seal secrets with (it always has one when serving; a test's Services may not).
Async<Result<Principal>> AuthenticateAdmin(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return principal;
  if (!principal->user.is_admin) co_return Error::Forbidden("only admins manage webhooks");
  if (services.webhook_secrets == nullptr) {
    co_return Error::Unavailable("webhooks are not configured on this server");
  }
  co_return principal;
}

// The URL policy (webhooks/url_policy.h) as a field error, when `url` was given.
Status CheckUrl(const Services& services, const std::optional<std::string>& url) {
  if (!url.has_value()) return Status::Ok();
  std::optional<std::string> problem =
      webhooks::WebhookUrlProblem(*url, services.options.webhook_allow_private);
  if (!problem.has_value()) return Status::Ok();
  return Error::Validation({{"url", *problem}});
}

// A create or PATCH body applied to `endpoint`, the URL policy included.
Status ApplyEndpointBody(const Services& services, const Request& request, bool creating,
                         WebhookEndpoint& endpoint) {
  FieldErrors decode_errors;
  Result<WebhookEndpointPatch> patch = DecodeWebhookEndpointPatch(request, decode_errors);
  if (!patch) return std::move(patch).error();
  Status applied = ApplyWebhookEndpointPatch(*patch, creating, endpoint);
  // The URL's policy only when its shape passed (a URL too long, say, is reported once).
  if (applied.ok() && decode_errors.empty()) applied = CheckUrl(services, patch->url);
  return WithDecodeErrors(std::move(decode_errors), std::move(applied));
}

Async<Result<std::pair<WebhookEndpoint, WebhookSecrets>>> PathEndpoint(const Services& services,
                                                                       const Request& request) {
  const std::string_view id = request.PathParam("id");
  if (!IsValidId(id)) co_return Error::NotFound("no such webhook");
  co_return co_await services.store.GetWebhookEndpoint(id);
}

WriteTarget<WebhookEndpoint> PathEndpointTarget(const Services& services, const Request& request) {
  return {.name = "webhook",
          .load = [&services, &request]() -> Async<Result<WebhookEndpoint>> {
            Result<std::pair<WebhookEndpoint, WebhookSecrets>> found =
                co_await PathEndpoint(services, request);
            if (!found) co_return std::move(found).error();
            co_return std::move(found->first);
          },
          // Nobody's: only admins (who alone reach these routes) act on it.
          .owner = [](const WebhookEndpoint&) { return std::string_view(); }};
}

// The delivery id of the path: its change id.
std::optional<int64_t> PathDeliveryId(const Request& request) {
  return ParseChangeId(request.PathParam("delivery_id"));
}

}  // namespace

Reply CreateWebhook(const Services& services, const Request& request) {
  Result<Principal> principal = co_await AuthenticateAdmin(services, request);
  if (!principal) co_return std::move(principal).error();
  WebhookEndpoint endpoint;
  if (Status valid = ApplyEndpointBody(services, request, /*creating=*/true, endpoint); !valid) {
    co_return std::move(valid).error();
  }
  endpoint.id = NewId(services.random);
  endpoint.created_at = endpoint.updated_at = services.clock.Now();
  endpoint.version = 1;
  const std::string secret = NewWebhookSecret(services.random);
  WebhookSecrets secrets;
  secrets.current = services.webhook_secrets->Seal(secret, services.random);
  Status created = co_await services.store.CreateWebhookEndpoint(endpoint, secrets);
  if (!created) co_return std::move(created).error();
  co_return ResourceResponse(201, WebhookEndpointJson(endpoint, secret), endpoint.version,
                             "/webhooks/" + endpoint.id);
}

Reply ListWebhooks(const Services& services, const Request& request) {
  Result<Principal> principal = co_await AuthenticateAdmin(services, request);
  if (!principal) co_return std::move(principal).error();
  FieldErrors errors;
  WebhookEndpointQuery query;
  query.limit = LimitParam(request, errors);
  query.after = CursorParam(request, &DecodeWebhookEndpointCursor, errors);
  if (!errors.empty()) co_return errors.ToError();
  Result<Page<WebhookEndpoint>> page = co_await services.store.ListWebhookEndpoints(query);
  if (!page) co_return std::move(page).error();
  co_return PageResponse(*page, &WriteWebhookEndpoint, [](const WebhookEndpoint& last) {
    return EncodeWebhookEndpointCursor({last.created_at, last.id});
  });
}

Reply GetWebhook(const Services& services, const Request& request) {
  Result<Principal> principal = co_await AuthenticateAdmin(services, request);
  if (!principal) co_return std::move(principal).error();
  Result<std::pair<WebhookEndpoint, WebhookSecrets>> found =
      co_await PathEndpoint(services, request);
  if (!found) co_return std::move(found).error();
  co_return ResourceResponse(200, WebhookEndpointJson(found->first), found->first.version);
}

Reply PatchWebhook(const Services& services, const Request& request) {
  Result<Principal> principal = co_await AuthenticateAdmin(services, request);
  if (!principal) co_return std::move(principal).error();
  const PatchSteps<WebhookEndpoint> steps{
      .target = PathEndpointTarget(services, request),
      .change = [&](const Principal&, const WebhookEndpoint&,
                    WebhookEndpoint& updated) -> Async<Status> {
        co_return ApplyEndpointBody(services, request, /*creating=*/false, updated);
      },
      // A coroutine, so that the nullopt the store takes by reference lives until it answers.
      .write = [&](const WebhookEndpoint& updated, int64_t expected_version) -> Async<Status> {
        co_return co_await services.store.UpdateWebhookEndpoint(updated, expected_version,
                                                                std::nullopt);
      },
      .to_json = [](const WebhookEndpoint& updated) { return WebhookEndpointJson(updated); }};
  co_return co_await PatchResourceAs(services, request, *principal, steps);
}

Reply DeleteWebhook(const Services& services, const Request& request) {
  Result<Principal> principal = co_await AuthenticateAdmin(services, request);
  if (!principal) co_return std::move(principal).error();
  co_return co_await DeleteResourceAs(request, *principal, PathEndpointTarget(services, request),
                                      [&](std::string_view id, std::optional<int64_t> version) {
                                        return services.store.DeleteWebhookEndpoint(id, version);
                                      });
}

Reply RotateWebhookSecret(const Services& services, const Request& request) {
  Result<Principal> principal = co_await AuthenticateAdmin(services, request);
  if (!principal) co_return std::move(principal).error();
  // A read-modify-write of the endpoint's secrets, on condition of its version like a PATCH.
  const auto attempt = [&]() -> Async<Result<Response>> {
    Result<std::pair<WebhookEndpoint, WebhookSecrets>> found =
        co_await PathEndpoint(services, request);
    if (!found) co_return std::move(found).error();
    auto& [current, secrets] = *found;
    if (Status fresh = CheckIfMatch(request, current.version); !fresh) {
      co_return std::move(fresh).error();
    }
    const std::string secret = NewWebhookSecret(services.random);
    const Timestamp now = services.clock.Now();
    WebhookSecrets rotated;
    rotated.current = services.webhook_secrets->Seal(secret, services.random);
    rotated.previous = secrets.current;
    rotated.previous_until = now + kPreviousSecretLifetime;
    WebhookEndpoint updated = current;
    updated.version = current.version + 1;
    updated.updated_at = now;
    if (Status written =
            co_await services.store.UpdateWebhookEndpoint(updated, current.version, rotated);
        !written) {
      co_return std::move(written).error();
    }
    co_return ResourceResponse(200, WebhookEndpointJson(updated, secret), updated.version);
  };
  co_return co_await RetryLostRaces(request, "webhook", attempt);
}

Reply ListWebhookDeliveries(const Services& services, const Request& request) {
  Result<Principal> principal = co_await AuthenticateAdmin(services, request);
  if (!principal) co_return std::move(principal).error();
  FieldErrors errors;
  WebhookDeliveryQuery query;
  query.limit = LimitParam(request, errors);
  if (std::optional<std::string_view> cursor = request.Query("cursor")) {
    query.before = ParseChangeId(*cursor);
    if (!query.before) errors.Add("cursor", "is not a cursor this list gave out");
  }
  if (!errors.empty()) co_return errors.ToError();
  Result<std::pair<WebhookEndpoint, WebhookSecrets>> found =
      co_await PathEndpoint(services, request);
  if (!found) co_return std::move(found).error();
  query.endpoint_id = found->first.id;
  Result<Page<WebhookDelivery>> page = co_await services.store.ListWebhookDeliveries(query);
  if (!page) co_return std::move(page).error();
  co_return PageResponse(*page, &WriteWebhookDelivery, [](const WebhookDelivery& last) {
    return FormatChangeId(last.change_id);
  });
}

Reply RedeliverWebhookDelivery(const Services& services, const Request& request) {
  Result<Principal> principal = co_await AuthenticateAdmin(services, request);
  if (!principal) co_return std::move(principal).error();
  const std::string endpoint_id(request.PathParam("id"));
  const std::optional<int64_t> change_id = PathDeliveryId(request);
  if (!IsValidId(endpoint_id) || !change_id) co_return Error::NotFound("no such delivery");
  Status redelivered = co_await services.store.RedeliverWebhookDelivery(endpoint_id, *change_id,
                                                                        services.clock.Now());
  if (!redelivered) co_return std::move(redelivered).error();
  Result<WebhookDelivery> delivery =
      co_await services.store.GetWebhookDelivery(endpoint_id, *change_id);
  if (!delivery) co_return std::move(delivery).error();
  co_return JsonResponse(202, WebhookDeliveryJson(*delivery));
}

}  // namespace tt::api
