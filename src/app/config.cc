#include "app/config.h"

#include <boost/url/parse.hpp>
#include <charconv>
#include <filesystem>

namespace tt::app {

std::string WebhookKeyFile(const ServeConfig& config) {
  if (!config.webhook_key_file.empty()) return config.webhook_key_file;
  const Result<DatabaseLocation> location = ParseDatabaseUrl(config.store.db_url);
  if (location.ok()) {
    if (const auto* sqlite = std::get_if<SqliteLocation>(&*location)) {
      return (std::filesystem::path(sqlite->path).parent_path() / "webhook.key").string();
    }
  }
  return "./data/webhook.key";
}

Result<DatabaseLocation> ParseDatabaseUrl(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    std::string_view path = url.substr(kSqlite.size());
    if (path.starts_with("//")) path.remove_prefix(2);  // also accept sqlite://PATH
    if (path.empty())
      return Error::BadRequest("--db sqlite: needs a file path, e.g. sqlite:./data/track.db");
    return DatabaseLocation(SqliteLocation{std::string(path)});
  }
  if (url == "dynamodb") return DatabaseLocation(DynamoDbLocation{});
  constexpr std::string_view kDynamoDb = "dynamodb:";
  if (url.starts_with(kDynamoDb)) {
    std::string_view endpoint = url.substr(kDynamoDb.size());
    if (!endpoint.starts_with("http://") && !endpoint.starts_with("https://")) {
      return Error::BadRequest(
          "--db dynamodb:URL needs an http(s) URL, e.g. dynamodb:http://localhost:8000");
    }
    return DatabaseLocation(DynamoDbLocation{std::string(endpoint)});
  }
  return Error::BadRequest("--db must be sqlite:PATH, dynamodb or dynamodb:URL (got \"" +
                           std::string(url) + "\")");
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Error::BadRequest("--listen must be HOST:PORT (got \"" + std::string(text) + "\")");
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port > 65535 ||
      host.empty()) {
    return Error::BadRequest("--listen must be HOST:PORT (got \"" + std::string(text) + "\")");
  }
  return ListenAddress{std::string(host), static_cast<uint16_t>(port)};
}

Result<std::string> ParsePublicUrl(std::string_view text) {
  if (text.empty()) return std::string();
  const std::string problem =
      "--public-url must be an http(s) URL such as https://api.example.com (got \"" +
      std::string(text) + "\")";
  boost::system::result<boost::urls::url_view> url = boost::urls::parse_absolute_uri(text);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || !url->has_authority() ||
      url->host().empty() || url->has_userinfo() || url->has_query() || url->has_fragment()) {
    return Error::BadRequest(problem);
  }
  std::string normalized(text);
  while (normalized.ends_with('/')) normalized.pop_back();
  return normalized;
}

}  // namespace tt::app
