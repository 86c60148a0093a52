// The server's configuration: one struct with documented defaults, filled once from command-line
// flags and TRACK_* environment variables (flags win), then passed to what needs it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "domain/error.h"
#include "log/logger.h"

namespace tt::app {

struct SqliteLocation {
  std::string path;
};

// Amazon DynamoDB, configured as the AWS SDKs are (AWS_* variables, ~/.aws files); `endpoint`
// overrides the configured endpoint, e.g. http://localhost:8000 for DynamoDB Local.
struct DynamoDbLocation {
  std::optional<std::string> endpoint;
};

// What `--db` names: `sqlite:PATH` (the default, `sqlite:./data/track.db`), `dynamodb` or
// `dynamodb:URL`.
using DatabaseLocation = std::variant<SqliteLocation, DynamoDbLocation>;
Result<DatabaseLocation> ParseDatabaseUrl(std::string_view url);

// --public-url: an absolute http(s) URL with a host and no user, query or fragment (a path
// prefix is fine), returned without trailing slashes; empty stays empty.
Result<std::string> ParsePublicUrl(std::string_view text);

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
// `HOST:PORT` or `[IPv6]:PORT`; port 0 picks a free one.
Result<ListenAddress> ParseListenAddress(std::string_view text);

// Which store a command works on.
struct StoreSettings {
  std::string db_url = "sqlite:./data/track.db";  // --db, TRACK_DB
  std::string table_prefix = "track_tracker_";    // --table-prefix, TRACK_TABLE_PREFIX (DynamoDB)
  // --competition-cache-mb, TRACK_COMPETITION_CACHE_MB (serve, SQLite): the byte budget of the
  // cache of recently read competitions; 0 turns it off.
  int competition_cache_mb = 32;
  // --feed-cache-mb, TRACK_FEED_CACHE_MB (serve, SQLite): the byte budget of the cache of
  // recently read feed pages; 0 turns it off.
  int feed_cache_mb = 32;
  // --sqlite-cache-mb, TRACK_SQLITE_CACHE_MB (serve, SQLite): the byte budget of SQLite's page
  // caches, shared by the connections; 0 keeps SQLite's default (2 MiB a connection).
  int sqlite_cache_mb = 128;
};

struct ServeConfig {
  std::string listen = "127.0.0.1:3000";  // --listen, TRACK_LISTEN
  StoreSettings store;
  int threads = 0;                      // --threads, TRACK_THREADS; 0 = one per core
  std::string log_level = "info";       // --log-level, TRACK_LOG_LEVEL
  int session_ttl_days = 30;            // --session-ttl-days, TRACK_SESSION_TTL_DAYS
  int hash_threads = 0;                 // --hash-threads, TRACK_HASH_THREADS; 0 = per core
  int shutdown_grace_seconds = 10;      // --shutdown-grace, TRACK_SHUTDOWN_GRACE
  double request_timeout_seconds = 15;  // --request-timeout, TRACK_REQUEST_TIMEOUT
  double idle_timeout_seconds = 60;     // --idle-timeout, TRACK_IDLE_TIMEOUT
  int max_connections = 4096;           // --max-connections, TRACK_MAX_CONNECTIONS
  // --response-cache-mb, TRACK_RESPONSE_CACHE_MB: the byte budget of the JSON kept for repeated
  // reads (api/response_cache.h); 0 turns it off. Used only on a store that gives read
  // generations (SQLite).
  int response_cache_mb = 32;
  // --cors-origins, TRACK_CORS_ORIGINS: browser origins allowed to call the API, comma-separated
  // exact origins or `*`; empty allows none and sends no CORS header.
  std::string cors_origins;
  // --public-url, TRACK_PUBLIC_URL: where clients reach the server (behind a proxy, say), for the
  // calendar URLs it hands out; empty builds them from each request's Host header.
  std::string public_url;
  // --change-retention-days, TRACK_CHANGE_RETENTION_DAYS: how long GET /changes keeps a change.
  int change_retention_days = 7;
  // --webhook-key-file, TRACK_WEBHOOK_KEY_FILE: the key that seals webhook signing secrets, made
  // (mode 0600) when missing. Empty: `webhook.key` beside the SQLite database, or
  // ./data/webhook.key with DynamoDB, where every instance must be given the same file.
  std::string webhook_key_file;
  // --webhook-allow-private, TRACK_WEBHOOK_ALLOW_PRIVATE: webhook URLs may be plain http and name
  // private, loopback or link-local hosts (tests, closed networks).
  bool webhook_allow_private = false;
  // --webhook-timeout, TRACK_WEBHOOK_TIMEOUT: seconds a receiver has to answer a delivery.
  double webhook_timeout_seconds = 15;
  // --webhook-dispatch / --no-webhook-dispatch, TRACK_WEBHOOK_DISPATCH: whether this instance
  // sends webhooks (at least one instance sharing the store must).
  bool webhook_dispatch = true;
};

// The webhook key file `config` names, or its default for the database it uses.
std::string WebhookKeyFile(const ServeConfig& config);

}  // namespace tt::app
