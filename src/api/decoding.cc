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
  Result<boost::json::object> body = ParseJsonObject(request);
  if (!body) return std::move(body).error();
  FieldReader reader(*body, errors);
  UserPatch patch;
  patch.display_name = reader.String("display_name");
  patch.email = reader.NullableString("email");
  patch.password = reader.String("password");
  patch.current_password = reader.String("current_password");
  return patch;
}

}  // namespace tt::api
