// The change log's data as the API shows the resources (see storage/change_encoder.h), and a
// change record as GET /changes shows it.
#pragma once

#include <memory>

#include "api/json_writer.h"
#include "domain/change.h"
#include "storage/change_encoder.h"

namespace tt::api {

// The encoder the stores are opened with.
std::shared_ptr<const ChangeEncoder> MakeChangeEncoder();

// {"id", "type", "occurred_at", "data"}.
void WriteChange(JsonWriter& out, const Change& change);

}  // namespace tt::api
