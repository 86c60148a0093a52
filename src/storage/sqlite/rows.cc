#include "storage/sqlite/rows.h"

#include <boost/json.hpp>
#include <string>
#include <utility>

#include "storage/sqlite/field_rows.h"

namespace tt::sqlite {

Timestamp RowReader::Time() { return TimestampOf(statement_.Int(next_++)); }

std::optional<Timestamp> RowReader::OptionalTime() {
  if (statement_.IsNull(next_)) {
    ++next_;
    return std::nullopt;
  }
  return Time();
}

Date RowReader::DateValue() {
  const int column = next_++;
  std::optional<Date> date = Date::Parse(statement_.Text(column));
  if (!date.has_value()) {
    MarkCorrupt(column);
    return Date();
  }
  return *date;
}

std::optional<Date> RowReader::OptionalDate() {
  if (statement_.IsNull(next_)) {
    ++next_;
    return std::nullopt;
  }
  return DateValue();
}

DateTime RowReader::DateTimeValue() {
  const int column = next_++;
  std::optional<DateTime> date_time = DateTime::Parse(statement_.Text(column));
  if (!date_time.has_value()) {
    MarkCorrupt(column);
    return DateTime();
  }
  return *date_time;
}

std::vector<std::string> RowReader::StringList() {
  const int column = next_++;
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(statement_.Text(column), error);
  std::vector<std::string> values;
  if (error || !parsed.is_array()) {
    MarkCorrupt(column);
    return values;
  }
  for (const boost::json::value& item : parsed.get_array()) {
    if (!item.is_string()) {
      MarkCorrupt(column);
      return {};
    }
    values.emplace_back(item.get_string());
  }
  return values;
}

void RowReader::MarkCorrupt(int column) {
  if (!corrupt_column_.has_value()) corrupt_column_ = column;
}

Status RowReader::Check(std::string_view what) const {
  if (!corrupt_column_.has_value()) return Status::Ok();
  statement_.connection().logger().Error("sqlite: malformed stored " + std::string(what) +
                                         " in column " + std::to_string(*corrupt_column_) +
                                         " of: " + statement_.sql());
  return Error::Internal();
}

const std::string& UserColumns() {
  static const std::string columns = ColumnList(
      kUserFields, "u",
      {{"is_athlete", "EXISTS (SELECT 1 FROM athletes is_athlete WHERE is_athlete.id = u.id)"}});
  return columns;
}

Result<User> ReadUser(RowReader& row) {
  User user;
  ReadFields(row, kUserFields, user);
  if (Status status = row.Check("user"); !status.ok()) return std::move(status).error();
  return user;
}

const std::string& CompetitionColumns() {
  static const std::string columns = ColumnList(kCompetitionFields, "c");
  return columns;
}

Result<Competition> ReadCompetition(RowReader& row) {
  Competition competition;
  ReadFields(row, kCompetitionFields, competition);
  if (Status status = row.Check("competition"); !status.ok()) return std::move(status).error();
  return competition;
}

const std::string& AthleteColumns() {
  static const std::string columns = ColumnList(
      kAthleteFields, "a",
      {{"username", "au.username"},
       {"follower_count", "(SELECT COUNT(*) FROM follows fc WHERE fc.athlete_id = a.id)"}});
  return columns;
}

Result<Athlete> ReadAthlete(RowReader& row) {
  Athlete athlete;
  ReadFields(row, kAthleteFields, athlete);
  if (Status status = row.Check("athlete"); !status.ok()) return std::move(status).error();
  return athlete;
}

const std::string& EventColumns() {
  static const std::string columns = ColumnList(kEventFields, "e");
  return columns;
}

Result<Event> ReadEvent(RowReader& row) {
  Event event;
  ReadFields(row, kEventFields, event);
  if (Status status = row.Check("event"); !status.ok()) return std::move(status).error();
  return event;
}

std::string EncodeStringList(std::span<const std::string> values) {
  boost::json::array array;
  array.reserve(values.size());
  for (const std::string& value : values) array.emplace_back(value);
  return boost::json::serialize(array);
}

AthleteNameKeys NameKeysOf(const Athlete& athlete) {
  AthleteCursor cursor = CursorOf(athlete);
  return AthleteNameKeys{std::move(cursor.first_name_key), std::move(cursor.last_name_key)};
}

std::string NameKeyOf(std::string_view text) {
  Athlete probe;
  probe.first_name = std::string(text);
  return CursorOf(probe).first_name_key;
}

std::optional<std::string> PrefixUpperBound(std::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(bound.back());
    if (last != 0xFF) {
      ++last;
      return bound;
    }
    bound.pop_back();
  }
  return std::nullopt;
}

}  // namespace tt::sqlite
