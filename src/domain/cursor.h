// Opaque pagination cursors. A cursor is the sort key of the last item of a page, so the next
// page starts strictly after it (keyset pagination: inserts and deletes never make a page
// boundary drop or repeat an item). On the wire it is base64url text without padding.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tt {

// Joins `parts` into a cursor. Parts may hold any bytes.
std::string EncodeCursor(const std::vector<std::string>& parts);
// The parts of a cursor made by EncodeCursor with exactly `expected_parts` parts; nullopt for
// anything else (a client-made or truncated cursor).
std::optional<std::vector<std::string>> DecodeCursor(std::string_view cursor,
                                                     size_t expected_parts);

// base64url without padding (RFC 4648 §5), used for cursors and session tokens.
std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace tt
