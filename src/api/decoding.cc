#include "api/decoding.h"

#include <boost/json/object.hpp>

#include "api/json_body.h"

namespace tt::api {

Result<CompetitionPatch> DecodeCompetitionPatch(const Request& request, FieldErrors& errors) {
  return DecodePatchFields<CompetitionPatch>(request, kCompetitionFields, errors);
}

Result<AthletePatch> DecodeAthletePatch(const Request& request, FieldErrors& errors) {
  return DecodePatchFields<AthletePatch>(request, kAthleteFields, errors);
}

Result<EventPatch> DecodeEventPatch(const Request& request, FieldErrors& errors) {
  return DecodePatchFields<EventPatch>(request, kEventFields, errors);
}

Result<UserPatch> DecodeUserPatch(const Request& request, FieldErrors& errors) {
  // The passwords are not members of User: one is only ever hashed, the other compared.
  return DecodePatchFields<UserPatch>(request, kUserFields, errors,
                                      [](FieldReader& reader, UserPatch& patch) {
                                        patch.password = reader.String("password");
                                        patch.current_password = reader.String("current_password");
                                      });
}

Result<WebhookEndpointPatch> DecodeWebhookEndpointPatch(const Request& request,
                                                        FieldErrors& errors) {
  return DecodePatchFields<WebhookEndpointPatch>(request, kWebhookEndpointFields, errors);
}

}  // namespace tt::api
