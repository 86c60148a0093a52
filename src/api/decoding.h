// Decoding the bodies of create and PATCH requests into the domain's patches. Shared by the
// handlers and the fuzzers, so that what is fuzzed is what is served.
#pragma once

#include "api/request.h"
#include "domain/athlete.h"
#include "domain/competition.h"
#include "domain/event.h"
#include "domain/user.h"
#include "domain/validation.h"
#include "domain/webhook.h"

namespace tt::api {

// Each reads the members its resource has; field-level problems (wrong types, bad dates) go to
// `errors`, to be merged with the domain's checks by WithDecodeErrors. Only a body that is not a
// JSON object (kBadRequest) or not JSON at all (kUnsupportedMediaType) fails here.
Result<CompetitionPatch> DecodeCompetitionPatch(const Request& request, FieldErrors& errors);
Result<AthletePatch> DecodeAthletePatch(const Request& request, FieldErrors& errors);
Result<EventPatch> DecodeEventPatch(const Request& request, FieldErrors& errors);
Result<UserPatch> DecodeUserPatch(const Request& request, FieldErrors& errors);
Result<WebhookEndpointPatch> DecodeWebhookEndpointPatch(const Request& request,
                                                        FieldErrors& errors);

}  // namespace tt::api
