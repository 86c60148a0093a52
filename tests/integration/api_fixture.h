// A fixture that runs a fresh server on a fresh database for each test, with helpers for the
// steps most tests need (signing up, creating a competition).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "http_client.h"
#include "server_process.h"
#include "support/temp_dir.h"

namespace tt::testing {

struct Account {
  std::string id;
  std::string username;
  std::string password;
  std::string token;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_.path() / "track.db");
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  HttpClient& client() { return *client_; }
  ServerProcess& server() { return *server_; }

  // A username unique within the test.
  static std::string UniqueName(std::string_view prefix) {
    static std::atomic<int> counter{0};
    return std::string(prefix) + std::to_string(++counter);
  }

  // Signs up a new user and signs it in.
  Account SignUp(std::string_view prefix = "runner") {
    Account account;
    account.username = UniqueName(prefix);
    account.password = "correct horse battery";
    HttpResponse created =
        client().Post("/users", {{"username", account.username}, {"password", account.password}});
    EXPECT_EQ(created.status, 201) << created.body;
    account.id = std::string(created.Json().at("id").as_string());
    account.token = SignIn(account.username, account.password);
    return account;
  }

  std::string SignIn(std::string_view username, std::string_view password) {
    HttpResponse session =
        client().Post("/sessions", {{"username", username}, {"password", password}});
    EXPECT_EQ(session.status, 201) << session.body;
    if (session.status != 201) return "";
    return std::string(session.Json().at("token").as_string());
  }

  // Makes `account` an admin through the command line, as an operator would.
  void GrantAdmin(const Account& account) {
    server().Terminate();
    std::vector<std::string> args = {"admin", "grant", account.username};
    std::vector<std::string> db_args = server().DbArgs();
    args.insert(args.end(), db_args.begin(), db_args.end());
    CommandResult granted = RunServerCommand(args);
    ASSERT_EQ(granted.exit_status, 0) << granted.output;
    server().Restart();
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  boost::json::object CompetitionBody(std::string_view name, std::string_view start,
                                      std::string_view end) {
    return {{"name", name},
            {"location", "Hayward Field, Eugene"},
            {"start_date", start},
            {"end_date", end}};
  }

  // Creates a competition and returns its JSON.
  boost::json::object CreateCompetition(const Account& owner, std::string_view name,
                                        std::string_view start, std::string_view end) {
    HttpResponse created =
        client().Post("/competitions", CompetitionBody(name, start, end), owner.token);
    EXPECT_EQ(created.status, 201) << created.body;
    return created.Json().as_object();
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

// The `code` of an error body, or "" when the body is not one.
inline std::string ErrorCodeOf(const HttpResponse& response) {
  boost::json::value body = response.Json();
  if (!body.is_object() || !body.as_object().contains("error")) return "";
  return std::string(body.at("error").at("code").as_string());
}

// Whether a 422 body names `field` in its `fields`.
inline bool NamesField(const HttpResponse& response, std::string_view field) {
  boost::json::value body = response.Json();
  if (!body.is_object()) return false;
  const boost::json::value* error = body.as_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return false;
  const boost::json::value* fields = error->as_object().if_contains("fields");
  return fields != nullptr && fields->is_object() && fields->as_object().contains(field);
}

inline std::string Str(const boost::json::value& value) { return std::string(value.as_string()); }

// `YYYY-MM-DD` of today (UTC) plus `offset` days.
inline std::string DayFromToday(int offset) {
  using namespace std::chrono;
  const year_month_day day{floor<days>(system_clock::now()) + days{offset}};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return text;
}

}  // namespace tt::testing
