#include "app/store_factory.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "api/change_encoder.h"
#include "app/config.h"
#include "storage/dynamodb/aws_config.h"
#include "storage/dynamodb/dynamodb_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace tt::app {
namespace {

std::optional<std::string> Environment(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::filesystem::path HomeDirectory() {
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') return home;
  if (const passwd* entry = getpwuid(getuid()); entry != nullptr) return entry->pw_dir;
  return "/";
}

Result<std::unique_ptr<Store>> OpenSqlite(const SqliteLocation& location,
                                          const StoreSettings& settings, Logger& logger) {
  SqliteStoreOptions options;
  options.path = location.path;
  options.competition_cache_bytes = static_cast<size_t>(settings.competition_cache_mb) << 20;
  options.feed_cache_bytes = static_cast<size_t>(settings.feed_cache_mb) << 20;
  options.page_cache_bytes = static_cast<size_t>(settings.sqlite_cache_mb) << 20;
  options.change_encoder = api::MakeChangeEncoder();
  Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options, logger);
  if (!store) return std::move(store).error();  // its message names the file and the reason
  return std::unique_ptr<Store>(std::move(*store));
}

boost::asio::awaitable<Result<std::unique_ptr<Store>>> OpenDynamoDb(
    const DynamoDbLocation& location, const std::string& table_prefix, Logger& logger) {
  Result<dynamodb::AwsSettings> aws =
      dynamodb::ResolveAwsSettings(&Environment, HomeDirectory(), location.endpoint);
  if (!aws) co_return std::move(aws).error();
  logger.Info("dynamodb: endpoint " + aws->endpoint + ", region " + aws->region +
              ", credentials from " + aws->credentials_source);
  DynamoDbStoreOptions options;
  options.client.settings = std::move(*aws);
  options.table_prefix = table_prefix;
  options.create_tables = true;
  options.change_encoder = api::MakeChangeEncoder();
  Result<std::unique_ptr<DynamoDbStore>> store =
      co_await DynamoDbStore::Open(std::move(options), logger);
  if (!store) co_return std::move(store).error();
  co_return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace

boost::asio::awaitable<Result<std::unique_ptr<Store>>> OpenStore(const StoreSettings& settings,
                                                                 Logger& logger) {
  Result<DatabaseLocation> location = ParseDatabaseUrl(settings.db_url);
  if (!location) co_return std::move(location).error();
  if (const auto* sqlite = std::get_if<SqliteLocation>(&*location)) {
    co_return OpenSqlite(*sqlite, settings, logger);
  }
  co_return co_await OpenDynamoDb(std::get<DynamoDbLocation>(*location), settings.table_prefix,
                                  logger);
}

}  // namespace tt::app
