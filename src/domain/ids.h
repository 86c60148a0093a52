// Resource ids: lowercase UUID version 4 strings made by the server.
#pragma once

#include <string>
#include <string_view>

#include "domain/clock.h"

namespace tt {

std::string NewId(RandomSource& random);
// True for `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx` in lowercase hex.
bool IsValidId(std::string_view text);

}  // namespace tt
