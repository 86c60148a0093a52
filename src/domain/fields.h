// Field tables: a resource's members listed once, each with the name it has in the contract's
// JSON, as a SQLite column and as a DynamoDB attribute, who writes it and, for the members that
// create and PATCH bodies set, whether a creation needs it and what makes a value valid. The JSON
// encoder and decoder, the patch rules and both stores walk the table (ForEachField) instead of
// naming every member again, so that adding a plain field is one line of a table (and a column).
//
// A table is a std::tuple of ServerField and ClientField entries, in the order the JSON shows the
// members. How each layer stores or encodes a member follows from the member's C++ type
// (overloads in each layer), so a table entry names no encoding.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "domain/validation.h"

namespace tt {

// Who writes a field the server sets.
enum class FieldWrite {
  kCreation,    // set once, when the resource is created (id, created_by, created_at)
  kEveryWrite,  // set again by every update (updated_at, version; a user's is_admin)
  // Never written from the resource: each store derives it, by hand, where it reads the rest (a
  // join or a count in SQLite; in DynamoDB a copy or a counter that other writes keep). Shown in
  // JSON like any member; no body sets it.
  kDerived,
};

// Whether a create body must give a client field.
enum class Presence { kRequired, kOptional };

// Who is shown a field in the resource's JSON.
enum class Shown {
  kToAnyone,
  kToOwnerAndAdmins,  // only to the user the resource is, and to admins (a user's email)
};

// Whether a member may be null (std::optional), and the value a check is given: a nullable
// member's value when it is not null.
template <typename Value>
struct NonNullOf {
  using type = Value;
  static constexpr bool kNullable = false;
};
template <typename Value>
struct NonNullOf<std::optional<Value>> {
  using type = Value;
  static constexpr bool kNullable = true;
};

// Reports what is wrong with `value`, given for `field` in a body, in `errors`.
template <typename Value>
using FieldCheck = void (*)(std::string_view field, const typename NonNullOf<Value>::type& value,
                            FieldErrors& errors);

// A member only the server writes.
template <typename Resource, typename Value>
struct ServerFieldEntry {
  std::string_view name;
  Value Resource::*member;
  FieldWrite written;
  Shown shown;
};

// A member that create and PATCH bodies set, from the body's `name` into the patch's
// `patch_member` (absent: left alone; null, for a nullable member: cleared). Every update
// rewrites it.
template <typename Resource, typename Value, typename Patch>
struct ClientFieldEntry {
  std::string_view name;
  Value Resource::*member;
  std::optional<Value> Patch::*patch_member;
  Presence presence;
  FieldCheck<Value> check;  // nullptr: every value of the type is valid
  Shown shown;
};

template <typename Resource, typename Value>
constexpr ServerFieldEntry<Resource, Value> ServerField(std::string_view name,
                                                        Value Resource::*member, FieldWrite written,
                                                        Shown shown = Shown::kToAnyone) {
  return {name, member, written, shown};
}

template <typename Resource, typename Value, typename Patch>
constexpr ClientFieldEntry<Resource, Value, Patch> ClientField(
    std::string_view name, Value Resource::*member, std::optional<Value> Patch::*patch_member,
    Presence presence, FieldCheck<Value> check = nullptr, Shown shown = Shown::kToAnyone) {
  return {name, member, patch_member, presence, check, shown};
}

// Whether `Entry` is a ClientFieldEntry.
template <typename Entry>
concept ClientWritten = requires(const Entry& entry) {
  entry.patch_member;
};

// Who writes the field `entry` describes, if the server does; nullopt for a client field.
template <typename Entry>
constexpr std::optional<FieldWrite> ServerWrite(const Entry& entry) {
  if constexpr (ClientWritten<Entry>) {
    return std::nullopt;
  } else {
    return entry.written;
  }
}

// Whether the stores derive the field `entry` describes (FieldWrite::kDerived) rather than store
// it from the resource.
template <typename Entry>
constexpr bool IsDerived(const Entry& entry) {
  return ServerWrite(entry) == FieldWrite::kDerived;
}

// Whether every update rewrites the field `entry` describes: a client field, or one the server
// sets again on every write.
template <typename Entry>
constexpr bool RewrittenByUpdates(const Entry& entry) {
  const std::optional<FieldWrite> written = ServerWrite(entry);
  return !written.has_value() || *written == FieldWrite::kEveryWrite;
}

// Calls `visit(entry)` for each entry of `table`, in order.
template <typename Table, typename Visit>
constexpr void ForEachField(const Table& table, Visit&& visit) {
  std::apply([&](const auto&... entry) { (visit(entry), ...); }, table);
}

// Checks that `text` is valid UTF-8 of kMin..kMax code points (CheckLength).
template <size_t kMin, size_t kMax>
void LengthBetween(std::string_view field, const std::string& text, FieldErrors& errors) {
  CheckLength(field, text, kMin, kMax, errors);
}

// Checks that `url` is an absolute http(s) URL (CheckHttpUrl).
inline void HttpUrl(std::string_view field, const std::string& url, FieldErrors& errors) {
  CheckHttpUrl(field, url, errors);
}

// Checks that `email` is a plausible address (CheckEmail).
inline void EmailAddress(std::string_view field, const std::string& email, FieldErrors& errors) {
  CheckEmail(field, email, errors);
}

// Applies the client fields `patch` gives to `resource`, checking each value given (a null one
// needs no check), and reports in `errors` those a creation must give when `creating`. On error
// `resource` may be partly changed and must be discarded.
template <typename Table, typename Patch, typename Resource>
void ApplyPatchFields(const Table& table, const Patch& patch, bool creating, Resource& resource,
                      FieldErrors& errors) {
  ForEachField(table, [&](const auto& entry) {
    if constexpr (ClientWritten<std::decay_t<decltype(entry)>>) {
      const auto& given = patch.*entry.patch_member;
      if (!given.has_value()) {
        if (creating && entry.presence == Presence::kRequired)
          errors.Add(entry.name, "is required");
        return;
      }
      using Value = std::decay_t<decltype(resource.*entry.member)>;
      if (entry.check != nullptr) {
        if constexpr (NonNullOf<Value>::kNullable) {
          if (given->has_value()) entry.check(entry.name, **given, errors);
        } else {
          entry.check(entry.name, *given, errors);
        }
      }
      resource.*entry.member = *given;
    }
  });
}

}  // namespace tt
