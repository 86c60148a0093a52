// The command line: help, clear failures, and the admin commands.
#include <fstream>

#include "api_fixture.h"

namespace tt::testing {
namespace {

TEST(CommandLine, HelpExitsZeroForEveryCommand) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"serve", "--help"}, {"init-db", "--help"}, {"admin", "grant", "--help"}}) {
    CommandResult result = RunServerCommand(args);
    EXPECT_EQ(result.exit_status, 0) << result.output;
    EXPECT_NE(result.output.find("Usage"), std::string::npos) << result.output;
  }
}

TEST(CommandLine, AnUnknownFlagExitsNonZeroWithOneLine) {
  CommandResult result = RunServerCommand({"serve", "--no-such-flag"});
  EXPECT_NE(result.exit_status, 0);
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
}

TEST(CommandLine, AnUnopenableDatabaseExitsNonZeroWithOneLine) {
  TempDir dir;
  std::filesystem::path not_a_db = dir.path() / "garbage.db";
  { std::ofstream(not_a_db) << "this is not an SQLite database, not at all, no no no"; }
  CommandResult result =
      RunServerCommand({"serve", "--listen", "127.0.0.1:0", "--db", "sqlite:" + not_a_db.string()});
  EXPECT_NE(result.exit_status, 0);
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
  CommandResult bad_url = RunServerCommand({"init-db", "--db", "postgres://nope"});
  EXPECT_NE(bad_url.exit_status, 0);
}

TEST(CommandLine, AWebhookKeyFileThatHoldsNoKeyStopsTheServerAndSaysWhich) {
  TempDir dir;
  const std::filesystem::path key_file = dir.path() / "webhook.key";
  { std::ofstream(key_file) << "not a key\n"; }
  CommandResult result = RunServerCommand(
      {"serve", "--listen", "127.0.0.1:0", "--log-level", "warn", "--db",
       "sqlite:" + (dir.path() / "t.db").string(), "--webhook-key-file", key_file.string()});
  EXPECT_EQ(result.exit_status, 1) << result.output;
  EXPECT_NE(result.output.find("webhook key"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(key_file.string()), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("not a key"), std::string::npos)
      << "the key file's text is not shown";
}

TEST(CommandLine, InitDbCreatesTheDatabaseAndIsIdempotent) {
  TempDir dir;
  std::string url = "sqlite:" + (dir.path() / "sub" / "track.db").string();
  EXPECT_EQ(RunServerCommand({"init-db", "--db", url}).exit_status, 0);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "sub" / "track.db"));
  EXPECT_EQ(RunServerCommand({"init-db", "--db", url}).exit_status, 0);
}

TEST(CommandLine, AdminGrantOfAnUnknownUserFails) {
  TempDir dir;
  CommandResult result = RunServerCommand(
      {"admin", "grant", "ghost", "--db", "sqlite:" + (dir.path() / "t.db").string()});
  EXPECT_NE(result.exit_status, 0);
  EXPECT_NE(result.output.find("ghost"), std::string::npos);
}

using AdminCommand = ApiTest;

TEST_F(AdminCommand, GrantMakesTheUserAnAdmin) {
  Account account = SignUp();
  GrantAdmin(account);
  std::string token = SignIn(account.username, account.password);
  EXPECT_TRUE(client().Get("/users/me", token).Json().at("is_admin").as_bool());
}

}  // namespace
}  // namespace tt::testing
