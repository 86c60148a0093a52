#include "storage/dynamodb/aws_config.h"

#include <array>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

namespace tt::dynamodb {
namespace {

// Profile keys of the credential sources we do not implement, so that the error can say why a
// profile that works with the AWS CLI has no credentials here.
constexpr std::array<std::string_view, 6> kUnsupportedCredentialKeys = {
    "sso_session",        "sso_start_url",           "role_arn",
    "credential_process", "web_identity_token_file", "credential_source"};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (IsBlank(text.front()) || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (IsBlank(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Drops a `#` or `;` comment that starts the text or follows whitespace. Secrets and tokens are
// base64 and URLs do not put these after a space, so no value loses a character to this.
std::string_view StripComment(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if ((text[i] == '#' || text[i] == ';') && (i == 0 || IsBlank(text[i - 1]))) {
      return text.substr(0, i);
    }
  }
  return text;
}

Error Malformed(std::string_view file_name, int line_number, std::string_view what) {
  return Error::BadRequest("malformed AWS file " + std::string(file_name) + " line " +
                           std::to_string(line_number) + ": " + std::string(what));
}

// The environment with empty variables treated as unset, as the SDKs do.
class Environment {
 public:
  explicit Environment(const EnvironmentLookup& lookup) : lookup_(lookup) {}

  std::optional<std::string> Get(std::string_view name) const {
    if (!lookup_) return std::nullopt;
    std::optional<std::string> value = lookup_(name);
    if (value.has_value() && value->empty()) return std::nullopt;
    return value;
  }

 private:
  const EnvironmentLookup& lookup_;
};

// A shared file as read: its path (for messages) and its sections.
struct SharedFile {
  std::filesystem::path path;
  IniSections sections;
};

std::filesystem::path ExpandHome(const std::string& path, const std::filesystem::path& home) {
  if (home.empty()) return path;
  if (path == "~") return home;
  if (path.starts_with("~/")) return home / path.substr(2);
  return path;
}

// The file named by `variable`, else ~/.aws/<name>; an empty path when neither is known.
std::filesystem::path SharedFilePath(const Environment& environment, std::string_view variable,
                                     const std::filesystem::path& home, std::string_view name) {
  if (std::optional<std::string> path = environment.Get(variable)) return ExpandHome(*path, home);
  if (home.empty()) return {};
  return home / ".aws" / name;
}

Result<SharedFile> LoadSharedFile(std::filesystem::path path) {
  SharedFile file{std::move(path), {}};
  std::error_code error;
  if (file.path.empty() || !std::filesystem::exists(file.path, error)) return file;
  std::ifstream stream(file.path, std::ios::binary);
  std::ostringstream text;
  if (!stream || std::filesystem::is_directory(file.path, error)) {
    return Error::BadRequest("cannot read AWS file " + file.path.string());
  }
  // An empty file copies no characters, which sets failbit on `text`; it is simply empty.
  text << stream.rdbuf();
  if (stream.bad()) return Error::BadRequest("cannot read AWS file " + file.path.string());
  Result<IniSections> sections = ParseAwsIni(text.str(), file.path.string());
  if (!sections.ok()) return std::move(sections).error();
  file.sections = std::move(sections).value();
  return file;
}

// `[profile  name]` -> "name" for the config file's section names ("default" stays "default").
std::optional<std::string> ConfigProfileName(std::string_view section) {
  if (section == "default") return std::string(section);
  constexpr std::string_view kPrefix = "profile";
  if (!section.starts_with(kPrefix) || section.size() == kPrefix.size() ||
      !IsBlank(section[kPrefix.size()])) {
    return std::nullopt;
  }
  return std::string(Trim(section.substr(kPrefix.size())));
}

// The [services <name>] section, matched the same tolerant way as profile sections.
const std::map<std::string, std::string>* ServicesSection(const SharedFile& config,
                                                          std::string_view name) {
  constexpr std::string_view kPrefix = "services";
  for (const auto& [section, values] : config.sections) {
    if (section.starts_with(kPrefix) && section.size() > kPrefix.size() &&
        IsBlank(section[kPrefix.size()]) && Trim(section.substr(kPrefix.size())) == name) {
      return &values;
    }
  }
  return nullptr;
}

// One profile as found in the two files.
struct Profile {
  std::string name;
  const std::map<std::string, std::string>* in_credentials = nullptr;
  std::string config_section;                    // the section it came from, for messages
  std::map<std::string, std::string> in_config;  // [default] and [profile default] merged
  bool found_in_config = false;

  // A setting from either file, the credentials file winning.
  std::optional<std::string> Get(const std::string& key) const {
    if (in_credentials != nullptr) {
      if (auto it = in_credentials->find(key); it != in_credentials->end()) return it->second;
    }
    if (auto it = in_config.find(key); it != in_config.end()) return it->second;
    return std::nullopt;
  }
};

Profile FindProfile(std::string name, const SharedFile& credentials, const SharedFile& config) {
  Profile profile;
  if (auto it = credentials.sections.find(name); it != credentials.sections.end()) {
    profile.in_credentials = &it->second;
  }
  // std::map orders "default" before "profile default", so the prefixed form wins a conflict.
  for (const auto& [section, values] : config.sections) {
    if (ConfigProfileName(section) != name) continue;
    profile.found_in_config = true;
    profile.config_section = section;
    for (const auto& [key, value] : values) profile.in_config[key] = value;
  }
  if (profile.config_section.empty()) {
    profile.config_section = name == "default" ? "default" : "profile " + name;
  }
  profile.name = std::move(name);
  return profile;
}

std::string Describe(const std::filesystem::path& path) {
  return path.empty() ? std::string("(no home directory)") : path.string();
}

// Static credentials from one section, or nothing, or an error for half a key pair.
Result<std::optional<AwsCredentials>> CredentialsInSection(
    const std::map<std::string, std::string>& section, const std::string& where) {
  auto key_id = section.find("aws_access_key_id");
  auto secret = section.find("aws_secret_access_key");
  const bool has_key_id = key_id != section.end() && !key_id->second.empty();
  const bool has_secret = secret != section.end() && !secret->second.empty();
  if (!has_key_id && !has_secret) return std::optional<AwsCredentials>();
  if (!has_key_id || !has_secret) {
    return Error::BadRequest("no AWS credentials: " + where + " has " +
                             (has_key_id ? "aws_access_key_id but no aws_secret_access_key"
                                         : "aws_secret_access_key but no aws_access_key_id"));
  }
  AwsCredentials credentials{key_id->second, secret->second, std::nullopt};
  if (auto token = section.find("aws_session_token");
      token != section.end() && !token->second.empty()) {
    credentials.session_token = token->second;
  }
  return std::optional<AwsCredentials>(std::move(credentials));
}

Status ResolveCredentials(const Environment& environment, const Profile& profile,
                          const SharedFile& credentials_file, const SharedFile& config_file,
                          bool profile_named_explicitly, AwsSettings& settings) {
  std::optional<std::string> key_id = environment.Get("AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = environment.Get("AWS_SECRET_ACCESS_KEY");
  if (key_id.has_value() && secret.has_value()) {
    settings.credentials = {*key_id, *secret, environment.Get("AWS_SESSION_TOKEN")};
    settings.credentials_source = "environment";
    return Status::Ok();
  }
  if (key_id.has_value() || secret.has_value()) {
    return Error::BadRequest(key_id.has_value()
                                 ? "no AWS credentials: AWS_ACCESS_KEY_ID is set but "
                                   "AWS_SECRET_ACCESS_KEY is not"
                                 : "no AWS credentials: AWS_SECRET_ACCESS_KEY is set but "
                                   "AWS_ACCESS_KEY_ID is not");
  }

  struct Candidate {
    const std::map<std::string, std::string>* section;
    std::string where;
  };
  const std::array<Candidate, 2> candidates = {
      Candidate{profile.in_credentials, credentials_file.path.string() + " [" + profile.name + "]"},
      Candidate{profile.found_in_config ? &profile.in_config : nullptr,
                config_file.path.string() + " [" + profile.config_section + "]"}};
  for (const Candidate& candidate : candidates) {
    if (candidate.section == nullptr) continue;
    Result<std::optional<AwsCredentials>> found =
        CredentialsInSection(*candidate.section, candidate.where);
    if (!found.ok()) return std::move(found).error();
    if (found->has_value()) {
      settings.credentials = std::move(**found);
      settings.credentials_source = candidate.where;
      return Status::Ok();
    }
  }

  const std::string files = Describe(credentials_file.path) + " or " + Describe(config_file.path);
  if (profile.in_credentials == nullptr && !profile.found_in_config && profile_named_explicitly) {
    return Error::BadRequest("no AWS credentials: AWS_PROFILE names profile " + profile.name +
                             ", which is in neither " + files);
  }
  for (std::string_view key : kUnsupportedCredentialKeys) {
    if (profile.Get(std::string(key)).has_value()) {
      return Error::BadRequest("no AWS credentials: profile " + profile.name + " uses " +
                               std::string(key) +
                               ", which is not supported; give static keys (e.g. from `aws "
                               "configure export-credentials --format env`)");
    }
  }
  return Error::BadRequest(
      "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
      "aws_access_key_id and aws_secret_access_key in profile " +
      profile.name + " of " + files);
}

bool IsTrue(const std::optional<std::string>& value) {
  return value.has_value() && LowerAscii(Trim(*value)) == "true";
}

std::string ResolveEndpoint(const Environment& environment, const Profile& profile,
                            const SharedFile& config_file, const std::string& region,
                            const std::optional<std::string>& endpoint_override) {
  if (endpoint_override.has_value() && !endpoint_override->empty()) return *endpoint_override;
  const bool ignore_configured = IsTrue(environment.Get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
                                 IsTrue(profile.Get("ignore_configured_endpoint_urls"));
  if (!ignore_configured) {
    if (auto url = environment.Get("AWS_ENDPOINT_URL_DYNAMODB")) return *url;
    if (auto url = environment.Get("AWS_ENDPOINT_URL")) return *url;
    if (auto services = profile.Get("services")) {
      if (const auto* section = ServicesSection(config_file, Trim(*services))) {
        auto url = section->find("dynamodb.endpoint_url");
        if (url != section->end() && !url->second.empty()) return url->second;
      }
    }
    if (auto url = profile.Get("endpoint_url"); url.has_value() && !url->empty()) return *url;
  }
  const bool china = region.starts_with("cn-");
  return "https://dynamodb." + region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

}  // namespace

Result<IniSections> ParseAwsIni(std::string_view text, std::string_view file_name) {
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  if (text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());

  IniSections sections;
  std::map<std::string, std::string>* section = nullptr;
  std::string parent;  // a key with an empty value, which indented lines below extend
  int line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;

    const std::string_view line = Trim(StripComment(raw));
    if (line.empty()) continue;
    if (line.front() == '[') {
      if (line.back() != ']') return Malformed(file_name, line_number, "expected [section]");
      section = &sections[std::string(Trim(line.substr(1, line.size() - 2)))];
      parent.clear();
      continue;
    }
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return Malformed(file_name, line_number, "expected [section] or key = value");
    }
    if (section == nullptr) {
      return Malformed(file_name, line_number, "key = value before any [section]");
    }
    std::string key = LowerAscii(Trim(line.substr(0, equals)));
    if (key.empty()) return Malformed(file_name, line_number, "empty key");
    const std::string_view value = Trim(line.substr(equals + 1));
    if (!parent.empty() && IsBlank(raw.front())) {
      (*section)[parent + "." + key] = std::string(value);
      continue;
    }
    parent = value.empty() ? key : std::string();
    (*section)[std::move(key)] = std::string(value);
  }
  return sections;
}

Result<AwsSettings> ResolveAwsSettings(const EnvironmentLookup& environment_lookup,
                                       const std::filesystem::path& home_directory,
                                       const std::optional<std::string>& endpoint_override) {
  const Environment environment(environment_lookup);
  Result<SharedFile> credentials_file = LoadSharedFile(
      SharedFilePath(environment, "AWS_SHARED_CREDENTIALS_FILE", home_directory, "credentials"));
  if (!credentials_file.ok()) return std::move(credentials_file).error();
  Result<SharedFile> config_file =
      LoadSharedFile(SharedFilePath(environment, "AWS_CONFIG_FILE", home_directory, "config"));
  if (!config_file.ok()) return std::move(config_file).error();

  std::optional<std::string> named_profile = environment.Get("AWS_PROFILE");
  const Profile profile =
      FindProfile(named_profile.value_or("default"), *credentials_file, *config_file);

  AwsSettings settings;
  settings.profile = profile.name;
  if (auto region = environment.Get("AWS_REGION")) {
    settings.region = *region;
  } else if (auto default_region = environment.Get("AWS_DEFAULT_REGION")) {
    settings.region = *default_region;
  } else if (auto profile_region = profile.Get("region");
             profile_region.has_value() && !profile_region->empty()) {
    settings.region = *profile_region;
  } else {
    return Error::BadRequest("no AWS region: set AWS_REGION or region in profile " + profile.name +
                             " (" + Describe(config_file->path) + ")");
  }

  Status credentials = ResolveCredentials(environment, profile, *credentials_file, *config_file,
                                          named_profile.has_value(), settings);
  if (!credentials.ok()) return std::move(credentials).error();

  settings.endpoint =
      ResolveEndpoint(environment, profile, *config_file, settings.region, endpoint_override);
  return settings;
}

}  // namespace tt::dynamodb
