// Where the DynamoDB backend gets its AWS credentials, region and endpoint: the environment and
// the shared `~/.aws/credentials` and `~/.aws/config` files, read the way the AWS SDKs and CLI
// read them, so a machine set up for `aws dynamodb ...` works unchanged. Only static credentials
// are supported (no SSO, assumed roles, credential_process or instance metadata).
//
// Resolution, first match wins (an empty variable counts as unset):
//   profile      AWS_PROFILE, else "default".
//   credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
//                aws_access_key_id + aws_secret_access_key (+ aws_session_token) of section
//                [<profile>] in the credentials file (AWS_SHARED_CREDENTIALS_FILE, else
//                ~/.aws/credentials); the same keys in the config file (AWS_CONFIG_FILE, else
//                ~/.aws/config), section [profile <profile>], or [default] for "default".
//                Key, secret and token always come from one place.
//   region       AWS_REGION; AWS_DEFAULT_REGION; `region` of the profile.
//   endpoint     the caller's override (from `--db dynamodb:URL`); AWS_ENDPOINT_URL_DYNAMODB;
//                AWS_ENDPOINT_URL; `dynamodb = \n  endpoint_url = ...` in the [services <name>]
//                section the profile names with `services = <name>`; `endpoint_url` of the
//                profile; https://dynamodb.<region>.amazonaws.com (.amazonaws.com.cn in cn-*).
//                AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
//                ignore_configured_endpoint_urls) skips the variables and the files.
// Profile settings other than credentials are read from both files, the credentials file
// winning, as the SDKs do. A missing file is an empty file; `~/` in a file variable is expanded.
//
// Errors (kBadRequest, the message is one line meant for the operator): no region, no
// credentials (or only half of a pair), a file that exists but cannot be read or parsed.
//
// Reads the two files and nothing else; the process environment is reached only through the
// injected lookup. Thread-safety: safe to call concurrently.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/error.h"
#include "storage/dynamodb/sigv4.h"

namespace tt::dynamodb {

// The value of environment variable `name`, nullopt when it is unset.
using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view name)>;

struct AwsSettings {
  AwsCredentials credentials;
  std::string region;
  std::string endpoint;  // a URL, e.g. "https://dynamodb.eu-west-1.amazonaws.com"
  std::string profile;   // the profile consulted, whether or not anything came from it
  // Where the credentials came from, for the start-up log (never the keys themselves):
  // "environment" or "<file> [<section>]".
  std::string credentials_source;
};

// `home_directory` stands for `~` (empty: no home, only the file variables are read).
// A non-empty `endpoint_override` wins over every configured endpoint.
Result<AwsSettings> ResolveAwsSettings(const EnvironmentLookup& environment,
                                       const std::filesystem::path& home_directory,
                                       const std::optional<std::string>& endpoint_override = {});

// ---- The shared file format, exposed for tests -----------------------------------------------

// Section name (as written between the brackets, trimmed) -> key (lowercased) -> value. A
// sub-property (an indented `key = value` under a key with an empty value, as in
// `dynamodb =\n  endpoint_url = ...`) is stored as "parent.key". Later duplicates win.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;

// Parses the INI dialect of the AWS shared files: `[section]` and `key = value` lines; `#` and
// `;` comments on their own line or after whitespace; blank lines, surrounding whitespace, CRLF
// line ends and a UTF-8 byte order mark are ignored; keys are case-insensitive, values are kept
// as written (trimmed). A line that is none of these, or a key before any section, is an error
// naming `file_name` and the line number.
Result<IniSections> ParseAwsIni(std::string_view text, std::string_view file_name);

}  // namespace tt::dynamodb
