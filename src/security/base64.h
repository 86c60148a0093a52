// Standard base64 (RFC 4648 section 4, with padding) over libsodium, for the secrets of
// webhooks. URL-safe cursors and tokens use domain/cursor.h's Base64Url instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tt {

std::string Base64Encode(std::string_view bytes);
// nullopt unless all of `text` is base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace tt
