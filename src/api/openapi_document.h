// The OpenAPI 3 document of this API, compiled in from openapi/openapi.json.
#pragma once

#include <string_view>

namespace tt::api {

std::string_view OpenApiJson();

}  // namespace tt::api
