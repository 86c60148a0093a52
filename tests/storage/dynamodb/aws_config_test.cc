#include "storage/dynamodb/aws_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

#include "support/temp_dir.h"

namespace tt::dynamodb {
namespace {

namespace fs = std::filesystem;

// A fake process environment and home directory, so each test states exactly what is set.
class AwsConfigTest : public ::testing::Test {
 protected:
  AwsConfigTest() : home_(dir_.path() / "home") { fs::create_directories(home_ / ".aws"); }

  void Set(const std::string& name, const std::string& value) { environment_[name] = value; }
  void Unset(const std::string& name) { environment_.erase(name); }

  fs::path Write(const fs::path& path, std::string_view text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  fs::path WriteCredentials(std::string_view text) {
    return Write(home_ / ".aws" / "credentials", text);
  }
  fs::path WriteConfig(std::string_view text) { return Write(home_ / ".aws" / "config", text); }

  Result<AwsSettings> Resolve(const std::optional<std::string>& endpoint_override = {}) {
    EnvironmentLookup lookup = [this](std::string_view name) -> std::optional<std::string> {
      auto it = environment_.find(std::string(name));
      if (it == environment_.end()) return std::nullopt;
      return it->second;
    };
    return ResolveAwsSettings(lookup, home_, endpoint_override);
  }

  // The error message of a resolution expected to fail.
  std::string ErrorOf(const Result<AwsSettings>& result) {
    EXPECT_FALSE(result.ok());
    if (result.ok()) return {};
    EXPECT_EQ(result.error().code, ErrorCode::kBadRequest);
    return result.error().message;
  }

  std::string Path(std::string_view name) const { return (home_ / ".aws" / name).string(); }

  testing::TempDir dir_;
  fs::path home_;
  std::map<std::string, std::string> environment_;
};

// ---- Credentials -------------------------------------------------------------------------------

TEST_F(AwsConfigTest, TakesCredentialsAndRegionFromTheEnvironment) {
  Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  Set("AWS_SECRET_ACCESS_KEY", "secret-env");
  Set("AWS_SESSION_TOKEN", "token-env");
  Set("AWS_REGION", "eu-west-1");

  Result<AwsSettings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->credentials.access_key_id, "AKIDENV");
  EXPECT_EQ(settings->credentials.secret_access_key, "secret-env");
  EXPECT_EQ(settings->credentials.session_token, "token-env");
  EXPECT_EQ(settings->credentials_source, "environment");
  EXPECT_EQ(settings->region, "eu-west-1");
  EXPECT_EQ(settings->endpoint, "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(settings->profile, "default");
}

// Found by the aws_ini fuzzer: an empty file made resolution fail.
TEST_F(AwsConfigTest, EmptySharedFilesAreLikeMissingOnes) {
  WriteCredentials("");
  WriteConfig("");
  Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  Set("AWS_SECRET_ACCESS_KEY", "secret-env");
  Set("AWS_REGION", "eu-west-1");
  Result<AwsSettings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->region, "eu-west-1");
}

TEST_F(AwsConfigTest, EnvironmentCredentialsWinOverTheProfile) {
  WriteCredentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  Set("AWS_SECRET_ACCESS_KEY", "secret-env");
  Set("AWS_REGION", "eu-west-1");

  Result<AwsSettings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->credentials.access_key_id, "AKIDENV");
  EXPECT_EQ(settings->credentials.session_token, std::nullopt);
}

TEST_F(AwsConfigTest, EmptyVariablesCountAsUnset) {
  WriteCredentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  Set("AWS_ACCESS_KEY_ID", "");
  Set("AWS_SECRET_ACCESS_KEY", "");
  Set("AWS_PROFILE", "");
  Set("AWS_REGION", "");
  Set("AWS_DEFAULT_REGION", "us-east-2");

  Result<AwsSettings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->credentials.access_key_id, "AKIDFILE");
  EXPECT_EQ(settings->region, "us-east-2");
}

TEST_F(AwsConfigTest, HalfAnEnvironmentKeyPairIsAnError) {
  Set("AWS_REGION", "eu-west-1");
  Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  EXPECT_EQ(ErrorOf(Resolve()),
            "no AWS credentials: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
}

TEST_F(AwsConfigTest, TakesTheDefaultProfileFromTheCredentialsFile) {
  WriteCredentials(
      "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = secret-file\n"
      "aws_session_token = token-file\n");
  Set("AWS_REGION", "eu-west-1");

  Result<AwsSettings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->credentials.access_key_id, "AKIDFILE");
  EXPECT_EQ(settings->credentials.secret_access_key, "secret-file");
  EXPECT_EQ(settings->credentials.session_token, "token-file");
  EXPECT_EQ(settings->credentials_source, Path("credentials") + " [default]");
}

TEST_F(AwsConfigTest, AwsProfileSelectsTheSection) {
  WriteCredentials(
      "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n"
      "[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = s2\n");
  Set("AWS_PROFILE", "work");
  Set("AWS_REGION", "eu-west-1");

  Result<AwsSettings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->credentials.access_key_id, "AKIDWORK");
  EXPECT_EQ(settings->profile, "work");
}

// The original prototype kept everything for LocalStack in one config-file profile.
TEST_F(AwsConfigTest, ReadsALocalstackProfileFromTheConfigFile) {
  WriteConfig(
      "[default]\nregion = eu-west-1\n\n"
      "[profile localstack]\n"
      "aws_access_key_id = test\n"
      "aws_secret_access_key = test\n"
      "region = us-east-1\n");
  Set("AWS_PROFILE", "localstack");

  Result<AwsSettings> settings = Resolve("http://localhost:4566");
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->credentials.access_key_id, "test");
  EXPECT_EQ(settings->credentials.secret_access_key, "test");
  EXPECT_EQ(settings->credentials_source, Path("config") + " [profile localstack]");
  EXPECT_EQ(settings->region, "us-east-1");
  EXPECT_EQ(settings->endpoint, "http://localhost:4566");
  EXPECT_EQ(settings->profile, "localstack");
}

TEST_F(AwsConfigTest, CredentialsFileWinsOverConfigFile) {
  WriteCredentials("[dev]\naws_access_key_id = AKIDCRED\naws_secret_access_key = s1\n");
  WriteConfig(
      "[profile dev]\naws_access_key_id = AKIDCONF\naws_secret_access_key = s2\n"
      "aws_session_token = config-token\nregion = eu-north-1\n");
  Set("AWS_PROFILE", "dev");

  Result<AwsSettings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->credentials.access_key_id, "AKIDCRED");
  // Key, secret and token come from one place: the config file's token is not mixed in.
  EXPECT_EQ(settings->credentials.session_token, std::nullopt);
  EXPECT_EQ(settings->region, "eu-north-1");
}

TEST_F(AwsConfigTest, ConfigFileNamesTheDefaultProfileEitherWay) {
  WriteConfig("[profile default]\naws_access_key_id = AKID\naws_secret_access_key = s\n");
  Set("AWS_REGION", "eu-west-1");
  Result<AwsSettings> prefixed = Resolve();
  ASSERT_TRUE(prefixed.ok()) << prefixed.error().message;
  EXPECT_EQ(prefixed->credentials.access_key_id, "AKID");

  WriteConfig("[default]\naws_access_key_id = AKID2\naws_secret_access_key = s\n");
  Result<AwsSettings> plain = Resolve();
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->credentials.access_key_id, "AKID2");
  EXPECT_EQ(plain->credentials_source, Path("config") + " [default]");
}

TEST_F(AwsConfigTest, PrefixedDefaultSectionWinsOverThePlainOne) {
  // botocore reads this file the same way (checked with 1.43.11).
  WriteConfig("[profile default]\nregion = eu-west-2\n[default]\nregion = eu-west-1\n");
  Set("AWS_ACCESS_KEY_ID", "AKID");
  Set("AWS_SECRET_ACCESS_KEY", "s");
  EXPECT_EQ(Resolve()->region, "eu-west-2");
}

TEST_F(AwsConfigTest, ConfigFileSectionWithoutProfilePrefixIsNotAProfile) {
  WriteConfig("[localstack]\naws_access_key_id = test\naws_secret_access_key = test\n");
  Set("AWS_PROFILE", "localstack");
  Set("AWS_REGION", "us-east-1");
  EXPECT_EQ(ErrorOf(Resolve()),
            "no AWS credentials: AWS_PROFILE names profile localstack, which "
            "is in neither " +
                Path("credentials") + " or " + Path("config"));
}

TEST_F(AwsConfigTest, NoCredentialsAnywhereIsAnError) {
  Set("AWS_REGION", "eu-west-1");
  EXPECT_EQ(ErrorOf(Resolve()),
            "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
            "aws_access_key_id and aws_secret_access_key in profile default of " +
                Path("credentials") + " or " + Path("config"));
}

TEST_F(AwsConfigTest, HalfAKeyPairInAProfileIsAnError) {
  WriteCredentials("[default]\naws_access_key_id = AKID\n");
  Set("AWS_REGION", "eu-west-1");
  EXPECT_EQ(ErrorOf(Resolve()), "no AWS credentials: " + Path("credentials") +
                                    " [default] has aws_access_key_id but no "
                                    "aws_secret_access_key");
}

TEST_F(AwsConfigTest, SaysWhenAProfileUsesAnUnsupportedCredentialSource) {
  WriteConfig("[profile sso]\nsso_session = corp\nregion = eu-west-1\n");
  Set("AWS_PROFILE", "sso");
  const std::string message = ErrorOf(Resolve());
  EXPECT_TRUE(
      message.starts_with("no AWS credentials: profile sso uses sso_session, which is "
                          "not supported"))
      << message;
}

// ---- Region ------------------------------------------------------------------------------------

TEST_F(AwsConfigTest, RegionComesFromAwsRegionThenAwsDefaultRegionThenTheProfile) {
  Set("AWS_ACCESS_KEY_ID", "AKID");
  Set("AWS_SECRET_ACCESS_KEY", "s");
  WriteConfig("[default]\nregion = ap-south-1\n");
  Set("AWS_REGION", "eu-west-1");
  Set("AWS_DEFAULT_REGION", "us-west-2");
  EXPECT_EQ(Resolve()->region, "eu-west-1");
  Unset("AWS_REGION");
  EXPECT_EQ(Resolve()->region, "us-west-2");
  Unset("AWS_DEFAULT_REGION");
  EXPECT_EQ(Resolve()->region, "ap-south-1");
}

TEST_F(AwsConfigTest, ProfileSettingsInTheCredentialsFileWinOverTheConfigFile) {
  WriteConfig("[profile dev]\nregion = us-east-1\n");
  WriteCredentials(
      "[dev]\naws_access_key_id = AKID\naws_secret_access_key = s\nregion = sa-east-1\n");
  Set("AWS_PROFILE", "dev");
  Result<AwsSettings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->region, "sa-east-1");
}

TEST_F(AwsConfigTest, NoRegionIsAnError) {
  Set("AWS_ACCESS_KEY_ID", "AKID");
  Set("AWS_SECRET_ACCESS_KEY", "s");
  Set("AWS_PROFILE", "localstack");
  WriteConfig("[profile localstack]\noutput = json\n");
  EXPECT_EQ(ErrorOf(Resolve()), "no AWS region: set AWS_REGION or region in profile localstack (" +
                                    Path("config") + ")");
}

// ---- Endpoint ----------------------------------------------------------------------------------

TEST_F(AwsConfigTest, EndpointPrecedenceFollowsTheSdks) {
  Set("AWS_ACCESS_KEY_ID", "AKID");
  Set("AWS_SECRET_ACCESS_KEY", "s");
  WriteConfig(
      "[default]\nregion = eu-west-1\nendpoint_url = http://profile:1\nservices = local\n"
      "[services local]\n"
      "s3 =\n  endpoint_url = http://s3:2\n"
      "dynamodb =\n  endpoint_url = http://services:3\n");
  Set("AWS_ENDPOINT_URL", "http://global-env:4");
  Set("AWS_ENDPOINT_URL_DYNAMODB", "http://dynamodb-env:5");

  EXPECT_EQ(Resolve("http://localhost:8000")->endpoint, "http://localhost:8000");
  EXPECT_EQ(Resolve()->endpoint, "http://dynamodb-env:5");
  Unset("AWS_ENDPOINT_URL_DYNAMODB");
  EXPECT_EQ(Resolve()->endpoint, "http://global-env:4");
  Unset("AWS_ENDPOINT_URL");
  EXPECT_EQ(Resolve()->endpoint, "http://services:3");
  WriteConfig("[default]\nregion = eu-west-1\nendpoint_url = http://profile:1\n");
  EXPECT_EQ(Resolve()->endpoint, "http://profile:1");
  WriteConfig("[default]\nregion = eu-west-1\n");
  EXPECT_EQ(Resolve()->endpoint, "https://dynamodb.eu-west-1.amazonaws.com");
}

TEST_F(AwsConfigTest, IgnoreConfiguredEndpointUrlsKeepsOnlyTheOverride) {
  Set("AWS_ACCESS_KEY_ID", "AKID");
  Set("AWS_SECRET_ACCESS_KEY", "s");
  Set("AWS_REGION", "eu-west-1");
  Set("AWS_ENDPOINT_URL_DYNAMODB", "http://dynamodb-env:5");
  WriteConfig("[default]\nendpoint_url = http://profile:1\n");
  Set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "True");
  EXPECT_EQ(Resolve()->endpoint, "https://dynamodb.eu-west-1.amazonaws.com");
  EXPECT_EQ(Resolve("http://localhost:8000")->endpoint, "http://localhost:8000");

  Unset("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  Unset("AWS_ENDPOINT_URL_DYNAMODB");
  WriteConfig(
      "[default]\nendpoint_url = http://profile:1\nignore_configured_endpoint_urls = true\n");
  EXPECT_EQ(Resolve()->endpoint, "https://dynamodb.eu-west-1.amazonaws.com");
}

TEST_F(AwsConfigTest, ChinaRegionsUseTheirOwnDomain) {
  Set("AWS_ACCESS_KEY_ID", "AKID");
  Set("AWS_SECRET_ACCESS_KEY", "s");
  Set("AWS_REGION", "cn-north-1");
  EXPECT_EQ(Resolve()->endpoint, "https://dynamodb.cn-north-1.amazonaws.com.cn");
}

// ---- Files -------------------------------------------------------------------------------------

TEST_F(AwsConfigTest, FileVariablesMoveTheFilesAndExpandHome) {
  Write(home_ / "elsewhere" / "creds",
        "[default]\naws_access_key_id = AKIDMOVED\naws_secret_access_key = s\n");
  const fs::path config = Write(dir_.path() / "conf.ini", "[default]\nregion = eu-central-1\n");
  WriteCredentials("[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = s\n");
  WriteConfig("[default]\nregion = us-east-1\n");
  Set("AWS_SHARED_CREDENTIALS_FILE", "~/elsewhere/creds");
  Set("AWS_CONFIG_FILE", config.string());

  Result<AwsSettings> settings = Resolve();
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->credentials.access_key_id, "AKIDMOVED");
  EXPECT_EQ(settings->credentials_source, (home_ / "elsewhere" / "creds").string() + " [default]");
  EXPECT_EQ(settings->region, "eu-central-1");
}

TEST_F(AwsConfigTest, WorksWithoutFilesOrHome) {
  Set("AWS_ACCESS_KEY_ID", "AKID");
  Set("AWS_SECRET_ACCESS_KEY", "s");
  Set("AWS_REGION", "eu-west-1");
  EXPECT_TRUE(Resolve().ok());
  EXPECT_TRUE(ResolveAwsSettings(
                  [this](std::string_view name) -> std::optional<std::string> {
                    auto it = environment_.find(std::string(name));
                    return it == environment_.end() ? std::nullopt : std::optional(it->second);
                  },
                  fs::path())
                  .ok());
}

TEST_F(AwsConfigTest, AFileThatCannotBeReadIsAnError) {
  fs::create_directories(home_ / ".aws" / "config");  // a directory where the file should be
  Set("AWS_REGION", "eu-west-1");
  EXPECT_EQ(ErrorOf(Resolve()), "cannot read AWS file " + Path("config"));
}

TEST_F(AwsConfigTest, AMalformedFileIsAnErrorNamingTheLine) {
  WriteCredentials("[default]\naws_access_key_id = AKID\nthis is not ini\n");
  Set("AWS_REGION", "eu-west-1");
  EXPECT_EQ(ErrorOf(Resolve()), "malformed AWS file " + Path("credentials") +
                                    " line 3: expected [section] or key = value");
}

// ---- The INI dialect ---------------------------------------------------------------------------

TEST(ParseAwsIni, ToleratesCommentsWhitespaceKeyCaseCrlfAndAByteOrderMark) {
  Result<IniSections> sections = ParseAwsIni(
      "\xEF\xBB\xBF# leading comment\r\n"
      "; another\r\n"
      "\r\n"
      "  [ profile  localstack ]   # why not\r\n"
      "AWS_Access_Key_ID=test\r\n"
      "\taws_secret_access_key   =   se#cret   ; trailing comment\r\n"
      "Region = us-east-1\r\n"
      "endpoint_url = http://localhost:4566/#fragment\r\n"
      "empty =\r\n",
      "config");
  ASSERT_TRUE(sections.ok()) << sections.error().message;
  ASSERT_EQ(sections->size(), 1u);
  const auto& profile = sections->at("profile  localstack");
  EXPECT_EQ(profile.at("aws_access_key_id"), "test");
  EXPECT_EQ(profile.at("aws_secret_access_key"), "se#cret");
  EXPECT_EQ(profile.at("region"), "us-east-1");
  EXPECT_EQ(profile.at("endpoint_url"), "http://localhost:4566/#fragment");
  EXPECT_EQ(profile.at("empty"), "");
}

TEST(ParseAwsIni, StoresIndentedSubPropertiesUnderTheirParent) {
  Result<IniSections> sections = ParseAwsIni(
      "[services local]\n"
      "dynamodb =\n"
      "  endpoint_url = http://localhost:8000\n"
      "  Region = x\n"
      "s3 =\n"
      "\taddressing_style = path\n"
      "plain = 1\n"
      "  indented = 2\n",
      "config");
  ASSERT_TRUE(sections.ok()) << sections.error().message;
  const auto& services = sections->at("services local");
  EXPECT_EQ(services.at("dynamodb.endpoint_url"), "http://localhost:8000");
  EXPECT_EQ(services.at("dynamodb.region"), "x");
  EXPECT_EQ(services.at("s3.addressing_style"), "path");
  // Indentation under a key that has a value is just indentation.
  EXPECT_EQ(services.at("indented"), "2");
}

TEST(ParseAwsIni, LaterDuplicatesWin) {
  Result<IniSections> sections =
      ParseAwsIni("[a]\nk = 1\n[b]\nk = 2\n[a]\nk = 3\nK = 4\n", "config");
  ASSERT_TRUE(sections.ok()) << sections.error().message;
  EXPECT_EQ(sections->at("a").at("k"), "4");
  EXPECT_EQ(sections->at("b").at("k"), "2");
}

TEST(ParseAwsIni, RejectsWhatItCannotRead) {
  auto message = [](std::string_view text) {
    Result<IniSections> sections = ParseAwsIni(text, "f");
    return sections.ok() ? std::string("ok") : sections.error().message;
  };
  EXPECT_EQ(message("k = v\n"), "malformed AWS file f line 1: key = value before any [section]");
  EXPECT_EQ(message("[a]\n\n[b\n"), "malformed AWS file f line 3: expected [section]");
  EXPECT_EQ(message("[a]\n = v\n"), "malformed AWS file f line 2: empty key");
  EXPECT_EQ(message("[a]\nnonsense\n"),
            "malformed AWS file f line 2: expected [section] or key = value");
  EXPECT_EQ(message(""), "ok");
}

}  // namespace
}  // namespace tt::dynamodb
