// The AWS shared config and credentials files (src/storage/dynamodb/aws_config.h): whatever a
// file holds, ParseAwsIni answers sections or a one-line error, and ResolveAwsSettings answers
// settings or an error, without crashing.
//
// Input: `credentials-file [\0 config-file [\0 environment [\0 endpoint-override]]]`, the
// environment as `NAME=value` lines. The files are written to a temporary home directory
// (~/.aws/credentials and ~/.aws/config). AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE are
// not taken from the input: a fuzzer must not make the resolver read /dev/zero or real files.
//
// Invariants: parsed sections print back (as `[section]` and `key=value` lines) to text that
// parses to the same sections; keys are non-empty and lowercase; no key or value carries a line
// break or surrounding blanks; a file that does not parse fails the resolution; resolved
// settings have a region, both halves of the key pair and an endpoint, and follow the
// environment where it decides.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "storage/dynamodb/aws_config.h"

namespace {

namespace fs = std::filesystem;
using tt::dynamodb::IniSections;
using tt::fuzz::Escape;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool HasSurroundingBlanks(std::string_view text) {
  return !text.empty() && (IsBlank(text.front()) || IsBlank(text.back()));
}

std::string Print(const IniSections& sections) {
  std::string out;
  for (const auto& [section, values] : sections) {
    out += "[" + section + "]\n";
    // No spaces around '=': a value starting with `;` or `#` would read as a comment after one.
    for (const auto& [key, value] : values) out += key + "=" + value + "\n";
  }
  return out;
}

void CheckParse(std::string_view text) {
  const tt::Result<IniSections> sections = tt::dynamodb::ParseAwsIni(text, "fuzz");
  if (!sections) {
    TT_FUZZ_CHECK(sections.error().code == tt::ErrorCode::kBadRequest);
    TT_FUZZ_CHECK(sections.error().message.find('\n') == std::string::npos);
    return;
  }
  for (const auto& [section, values] : *sections) {
    TT_FUZZ_CHECK(section.find('\n') == std::string::npos);
    TT_FUZZ_CHECK_MSG(!HasSurroundingBlanks(section), Escape(section));
    for (const auto& [key, value] : values) {
      TT_FUZZ_CHECK(!key.empty());
      TT_FUZZ_CHECK(key.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ\n=") == std::string::npos);
      TT_FUZZ_CHECK(value.find('\n') == std::string::npos);
      TT_FUZZ_CHECK_MSG(!HasSurroundingBlanks(value), Escape(value));
    }
  }
  // A key can start with `#` or `;` when blanks the comment rule does not count (a CR) come
  // before it on its line, as in "\r;key = value"; Print cannot write such a key back.
  for (const auto& [section, values] : *sections) {
    for (const auto& [key, value] : values) {
      if (key.front() == '#' || key.front() == ';') return;
    }
  }
  const std::string printed = Print(*sections);
  const tt::Result<IniSections> again = tt::dynamodb::ParseAwsIni(printed, "printed");
  TT_FUZZ_CHECK_MSG(again.ok(), Escape(printed));
  TT_FUZZ_CHECK_MSG(*again == *sections, Escape(text) + " printed as " + Escape(printed));
}

// Where the home directory goes: /dev/shm when there is one, because writing two files per
// input to a disk-backed /tmp makes the fuzzer wait on I/O (300 instead of 10000+ inputs/s).
fs::path TemporaryDirectory() {
  std::error_code error;
  if (fs::is_directory("/dev/shm", error) && access("/dev/shm", W_OK) == 0) return "/dev/shm";
  return fs::temp_directory_path();
}

constexpr std::string_view kHomePrefix = "tt-aws-ini-fuzz-";

// Removes the homes of earlier processes that are gone: a crash (or a fork-mode worker) ends
// without running exit handlers.
void RemoveAbandonedHomes(const fs::path& directory) {
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(kHomePrefix)) continue;
    const long pid = std::strtol(name.c_str() + kHomePrefix.size(), nullptr, 10);
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      fs::remove_all(entry.path(), error);
    }
  }
}

// This process's home directory, `tt-aws-ini-fuzz-<pid>`: made once and removed at exit; the
// files in it are rewritten for each input. Held in a plain buffer so that it still exists when
// the exit handler runs (a static fs::path could be destroyed first).
fs::path Home() {
  static char home[4096] = {};
  if (home[0] == '\0') {
    const fs::path directory = TemporaryDirectory();
    RemoveAbandonedHomes(directory);
    const std::string path =
        (directory / (std::string(kHomePrefix) + std::to_string(getpid()))).string();
    if (path.size() >= sizeof home) std::abort();
    path.copy(home, path.size());
    std::error_code error;
    fs::remove_all(home, error);
    if (!fs::create_directories(fs::path(home) / ".aws", error)) std::abort();
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(home, ignored);
    });
  }
  return home;
}

void WriteFile(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) std::abort();
}

std::string_view TakeField(std::string_view& text) {
  const size_t nul = text.find('\0');
  const std::string_view field = text.substr(0, nul);
  text.remove_prefix(nul == std::string_view::npos ? text.size() : nul + 1);
  return field;
}

void CheckResolve(std::string_view input) {
  const std::string_view credentials = TakeField(input);
  const std::string_view config = TakeField(input);
  std::string_view environment_lines = TakeField(input);
  const std::optional<std::string> endpoint_override =
      input.empty() ? std::nullopt : std::optional<std::string>(std::string(input));

  std::map<std::string, std::string, std::less<>> variables;
  while (!environment_lines.empty()) {
    const std::string_view line = environment_lines.substr(0, environment_lines.find('\n'));
    environment_lines.remove_prefix(std::min(environment_lines.size(), line.size() + 1));
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string name(line.substr(0, equals));
    if (name == "AWS_SHARED_CREDENTIALS_FILE" || name == "AWS_CONFIG_FILE") continue;
    variables[name] = std::string(line.substr(equals + 1));
  }
  const auto lookup = [&variables](std::string_view name) -> std::optional<std::string> {
    auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  };
  const auto set = [&variables](std::string_view name) {
    auto it = variables.find(name);
    return it != variables.end() && !it->second.empty();
  };

  WriteFile(Home() / ".aws" / "credentials", credentials);
  WriteFile(Home() / ".aws" / "config", config);
  const tt::Result<tt::dynamodb::AwsSettings> settings =
      tt::dynamodb::ResolveAwsSettings(lookup, Home(), endpoint_override);

  const bool files_parse = tt::dynamodb::ParseAwsIni(credentials, "credentials").ok() &&
                           tt::dynamodb::ParseAwsIni(config, "config").ok();
  if (!settings) {
    TT_FUZZ_CHECK(settings.error().code == tt::ErrorCode::kBadRequest);
    TT_FUZZ_CHECK(settings.error().message.find('\n') == std::string::npos);
    // With everything in the environment, only a broken file can stand in the way.
    if (files_parse) {
      TT_FUZZ_CHECK_MSG(
          !(set("AWS_REGION") && set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY")),
          settings.error().message);
    }
    return;
  }
  TT_FUZZ_CHECK(files_parse);
  TT_FUZZ_CHECK(!settings->region.empty());
  TT_FUZZ_CHECK(!settings->credentials.access_key_id.empty());
  TT_FUZZ_CHECK(!settings->credentials.secret_access_key.empty());
  TT_FUZZ_CHECK(!settings->endpoint.empty());
  TT_FUZZ_CHECK(!settings->credentials_source.empty());
  TT_FUZZ_CHECK(settings->profile == (set("AWS_PROFILE") ? variables["AWS_PROFILE"] : "default"));
  if (set("AWS_REGION")) TT_FUZZ_CHECK(settings->region == variables["AWS_REGION"]);
  if (set("AWS_ACCESS_KEY_ID") && set("AWS_SECRET_ACCESS_KEY")) {
    TT_FUZZ_CHECK(settings->credentials_source == "environment");
    TT_FUZZ_CHECK(settings->credentials.access_key_id == variables["AWS_ACCESS_KEY_ID"]);
  }
  if (endpoint_override && !endpoint_override->empty()) {
    TT_FUZZ_CHECK(settings->endpoint == *endpoint_override);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = tt::fuzz::AsText(data, size);
  CheckParse(input.substr(0, input.find('\0')));
  CheckResolve(input);
  return 0;
}
