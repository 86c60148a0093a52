// Case-insensitive matching and ordering of names and text across languages.
#pragma once

#include <string>
#include <string_view>

namespace tt {

// Lowercases UTF-8 `text` for matching and sort keys: ASCII, Latin-1, Latin Extended-A, the
// Romanian and Vietnamese letters, Greek and Cyrillic (the scripts of athletes' names that have
// case). Other characters, and bytes that are not valid UTF-8, are kept as they are. Every store
// uses this one function, so that they all match and order alike.
std::string FoldCase(std::string_view text);

}  // namespace tt
