#include "icalendar_readers.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <fstream>

namespace tt::testing {
namespace {

std::string Quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// Debian's python3 has python3-icalendar; another python3 earlier on the PATH may not.
std::string Python() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

}  // namespace

const char* NameOf(ICalendarReader reader) {
  return reader == ICalendarReader::kIcalJs ? "ical.js" : "python3-icalendar";
}

boost::json::value ReadICalendar(ICalendarReader reader, const std::string& text,
                                 const std::filesystem::path& dir) {
  static std::atomic<int> counter{0};
  const std::filesystem::path file = dir / ("calendar-" + std::to_string(++counter) + ".ics");
  {
    std::ofstream out(file, std::ios::binary);
    out << text;
  }
  const std::string scripts = std::string(TT_SOURCE_DIR) + "/tests/integration/icalendar/";
  const std::string command =
      reader == ICalendarReader::kIcalJs
          ? "node " + Quoted(scripts + "read_with_icaljs.mjs") + " " + Quoted(file.string())
          : Python() + " " + Quoted(scripts + "read_with_python_icalendar.py") + " " +
                Quoted(file.string());
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return nullptr;
  }
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << NameOf(reader) << " could not read the calendar: " << output;
    return nullptr;
  }
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(output, error);
  if (error) ADD_FAILURE() << NameOf(reader) << " printed no JSON: " << output;
  return parsed;
}

}  // namespace tt::testing
