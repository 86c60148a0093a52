// The one table from ErrorCode to HTTP status, and the contract's error body:
// {"error": {"code": "...", "message": "...", "fields": {...}}}.
#pragma once

#include "api/request.h"
#include "domain/error.h"

namespace tt::http {

int HttpStatus(ErrorCode code);
// The full response for `error`, with Retry-After when it carries one.
api::Response ErrorResponse(const Error& error);

}  // namespace tt::http
