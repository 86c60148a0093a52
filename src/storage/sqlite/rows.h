// How SqliteStore maps domain types to table rows and back: the column lists its SELECTs use,
// readers that turn a result row into a domain value, and the encodings of values that SQLite
// has no type for.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "domain/athlete.h"
#include "domain/competition.h"
#include "domain/error.h"
#include "domain/event.h"
#include "domain/time.h"
#include "domain/user.h"
#include "storage/sqlite/connection.h"

// Column lists, as macros so that they join constant SQL literals at compile time (statements
// are cached by their text). The readers below consume them in this order.

// The keyset condition of a scan of competitions c in (start_date, id) order that starts after
// the cursor (`after_start`, `after_id`; '' and '' for none) and wants only competitions ending
// on or after `from` (SQL expressions, usually parameters). No competition lasts longer than the
// longest stored one (span_days, indexed), so none starting before `from` minus that span can
// qualify: the scan starts at whichever bound is later, and an overlap query touches the rows
// near `from` instead of every competition before it.
#define TT_SQL_EARLIEST_START(from)                       \
  "(SELECT ifnull(date(" from                             \
  ", '-' || ifnull(max(s.span_days), 0) || ' days'), '')" \
  " FROM competitions s)"
#define TT_SQL_STARTS_AFTER(from, after_start, after_id) \
  "(c.start_date, c.id) > (max(" after_start             \
  ", " TT_SQL_EARLIEST_START(from) "), iif(" after_start \
                                   " >= " TT_SQL_EARLIEST_START(from) ", " after_id ", ''))"

namespace tt::sqlite {

// Reads the columns of the current row left to right, starting at `first_column`. A stored value
// that does not parse (a date, a date-time, the disciplines list, a name) marks the row corrupt;
// the Read* functions then answer kInternal and log which column it was.
class RowReader {
 public:
  explicit RowReader(const Statement& statement, int first_column = 0)
      : statement_(statement), next_(first_column) {}

  std::string Text() { return statement_.Text(next_++); }
  std::optional<std::string> OptionalText() { return statement_.OptionalText(next_++); }
  int64_t Int() { return statement_.Int(next_++); }
  std::optional<int64_t> OptionalInt() {
    if (statement_.IsNull(next_)) {
      ++next_;
      return std::nullopt;
    }
    return Int();
  }
  bool Bool() { return statement_.Int(next_++) != 0; }
  Timestamp Time();
  std::optional<Timestamp> OptionalTime();
  Date DateValue();
  std::optional<Date> OptionalDate();
  DateTime DateTimeValue();
  std::vector<std::string> StringList();
  // The next column's text parsed by `parse` (e.g. ParseChangeType); nullopt, and the row
  // corrupt, when it does not parse.
  template <typename Parse>
  auto ParsedText(Parse parse) {
    const int column = next_;
    auto parsed = parse(Text());
    if (!parsed.has_value()) MarkCorrupt(column);
    return parsed;
  }

  // The next column into `value`, by the value's type (the readers above; ToColumn's inverse,
  // for the members of field tables).
  void Read(std::string& value) { value = Text(); }
  void Read(std::optional<std::string>& value) { value = OptionalText(); }
  void Read(int64_t& value) { value = Int(); }
  void Read(bool& value) { value = Bool(); }
  void Read(Timestamp& value) { value = Time(); }
  void Read(Date& value) { value = DateValue(); }
  void Read(DateTime& value) { value = DateTimeValue(); }
  void Read(std::optional<Date>& value) { value = OptionalDate(); }
  void Read(std::vector<std::string>& value) { value = StringList(); }

  // kInternal, logged, if any value read was malformed.
  Status Check(std::string_view what) const;

 private:
  void MarkCorrupt(int column);

  const Statement& statement_;
  int next_;
  std::optional<int> corrupt_column_;
};

// The columns of a user, FROM users u, in ReadUser's order (the order of kUserFields): is_athlete
// is whether the user has an athlete profile.
const std::string& UserColumns();
// The columns of a competition, FROM competitions c, in ReadCompetition's order (the order of
// kCompetitionFields).
const std::string& CompetitionColumns();
// The columns of an event, FROM events e, in ReadEvent's order (the order of kEventFields).
const std::string& EventColumns();
// The columns of an athlete, FROM athletes a JOIN users au ON au.id = a.id, in ReadAthlete's
// order (the order of kAthleteFields): the username is the joined user's, and follower_count
// counts over the index follows(athlete_id), one index range per athlete.
const std::string& AthleteColumns();

Result<User> ReadUser(RowReader& row);
Result<Competition> ReadCompetition(RowReader& row);
Result<Athlete> ReadAthlete(RowReader& row);
Result<Event> ReadEvent(RowReader& row);

inline int64_t Micros(Timestamp time) { return time.time_since_epoch().count(); }
inline Timestamp TimestampOf(int64_t micros) {
  return Timestamp(std::chrono::microseconds(micros));
}

// A list of strings as a JSON array, for TEXT columns and for `json_each(?)` parameters, which
// let one constant statement take any number of ids.
std::string EncodeStringList(std::span<const std::string> values);

// How a member of a field table is stored, by its type: dates and date-times as their text,
// timestamps as microseconds (Micros), lists of text as a JSON array (EncodeStringList), booleans
// as 0 or 1, text and numbers as they are. RowReader::Read reads each back.
inline const std::string& ToColumn(const std::string& value) { return value; }
inline const std::optional<std::string>& ToColumn(const std::optional<std::string>& value) {
  return value;
}
inline int64_t ToColumn(int64_t value) { return value; }
inline bool ToColumn(bool value) { return value; }
inline int64_t ToColumn(Timestamp value) { return Micros(value); }
inline std::string ToColumn(const Date& value) { return value.ToString(); }
inline std::string ToColumn(const DateTime& value) { return value.ToString(); }
inline std::optional<std::string> ToColumn(const std::optional<Date>& value) {
  if (!value.has_value()) return std::nullopt;
  return value->ToString();
}
inline std::string ToColumn(const std::vector<std::string>& values) {
  return EncodeStringList(values);
}

// The lowercase keys athletes are ordered and prefix-matched by. They are derived with
// CursorOf(), the domain's definition of the list order, so that stored keys and cursors made
// from returned athletes always agree.
struct AthleteNameKeys {
  std::string first;
  std::string last;
};
AthleteNameKeys NameKeysOf(const Athlete& athlete);
// The key form of a prefix typed by a client.
std::string NameKeyOf(std::string_view text);
// The least string above every string that starts with `prefix` (byte order, as SQLite's BINARY
// collation compares), so that `key >= prefix AND key < bound` is an index range. nullopt when
// there is none (an empty prefix or one of only 0xFF bytes).
std::optional<std::string> PrefixUpperBound(std::string_view prefix);

// What a row reader gives: T of a `read_row(RowReader&)` that returns Result<T>.
template <typename ReadRow>
using RowOf =
    std::remove_cvref_t<decltype(*std::declval<std::invoke_result_t<ReadRow, RowReader&>&>())>;

// The row `statement` (its key bound) selects, read by `read_row`; kNotFound with
// `not_found_message` when there is none.
template <typename ReadRow>
Result<RowOf<ReadRow>> ReadOneRow(Statement& statement, ReadRow read_row,
                                  std::string_view not_found_message) {
  Result<bool> row = statement.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return Error::NotFound(std::string(not_found_message));
  RowReader reader(statement);
  return read_row(reader);
}

// Every remaining row of `statement`, each read by `read_row(RowReader&)`, which returns a
// Result, in order.
template <typename ReadRow>
Result<std::vector<RowOf<ReadRow>>> ReadAllRows(Statement& statement, ReadRow read_row) {
  using T = RowOf<ReadRow>;
  std::vector<T> items;
  while (true) {
    Result<bool> row = statement.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return items;
    RowReader reader(statement);
    Result<T> item = read_row(reader);
    if (!item.ok()) return std::move(item).error();
    items.push_back(std::move(*item));
  }
}

}  // namespace tt::sqlite
