// Operations endpoints: liveness, readiness and the API's own description.
#include <boost/json/object.hpp>

#include "api/encoding.h"
#include "api/handlers.h"
#include "api/openapi_document.h"

namespace tt::api {

Reply Healthz(const Services&, const Request&) {
  co_return JsonResponse(200, boost::json::object{{"status", "ok"}});
}

Reply Readyz(const Services& services, const Request&) {
  Status ping = co_await services.store.Ping();
  if (!ping) co_return Error::Unavailable("storage is not answering");
  co_return JsonResponse(200, boost::json::object{{"status", "ready"}});
}

Reply OpenApiDocument(const Services&, const Request&) {
  Response response;
  response.body = std::string(OpenApiJson());
  co_return response;
}

}  // namespace tt::api
