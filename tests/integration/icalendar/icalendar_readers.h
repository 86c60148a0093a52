// Runs the iCalendar parsers we did not write on text the server produced: Mozilla's ical.js
// (npm, under node) and python3-icalendar (Debian, under Debian's python3). Each prints what it
// read as JSON (see the scripts beside this file), which tests assert on.
#pragma once

#include <boost/json/value.hpp>
#include <filesystem>
#include <string>

namespace tt::testing {

enum class ICalendarReader { kIcalJs, kPythonICalendar };
inline constexpr ICalendarReader kICalendarReaders[] = {ICalendarReader::kIcalJs,
                                                        ICalendarReader::kPythonICalendar};
const char* NameOf(ICalendarReader reader);

// What `reader` read from `text` (written to a file in `dir`); a failed run fails the test and
// returns null.
boost::json::value ReadICalendar(ICalendarReader reader, const std::string& text,
                                 const std::filesystem::path& dir);

}  // namespace tt::testing
