// TextSet: a set of strings that SQL tests membership in with `tt_in_set(?N, text)` (1 or 0),
// the set bound to ?N with Statement::Bind (sqlite/connection.h). A hash probe per row where a
// join would descend an index, for a set small enough to load (the feed's followed athletes).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace tt::sqlite {

class TextSet {
 public:
  // Adds `text` (a copy); adding a member again is harmless.
  void Insert(std::string_view text) { texts_.emplace(text); }
  bool Contains(std::string_view text) const { return texts_.contains(text); }
  size_t size() const { return texts_.size(); }
  bool empty() const { return texts_.empty(); }

 private:
  // Transparent, so that a lookup by string_view builds no string.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> texts_;
};

// The pointer type name under which Statement::Bind passes a TextSet and tt_in_set asks for it.
inline constexpr char kTextSetPointerType[] = "tt_text_set";

}  // namespace tt::sqlite
