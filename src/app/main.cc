// track-tracker: the Track Tracker API server and its administration commands.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/app.h"
#include "app/config.h"

namespace {

// --db and --table-prefix, which every command that touches the store takes.
void AddStoreOptions(CLI::App& command, tt::app::StoreSettings& store) {
  command.add_option("--db", store.db_url, "Database: sqlite:PATH, dynamodb or dynamodb:URL")
      ->envname("TRACK_DB")
      ->capture_default_str();
  command
      .add_option("--table-prefix", store.table_prefix,
                  "Prefix of the DynamoDB table names (with --db dynamodb)")
      ->envname("TRACK_TABLE_PREFIX")
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Track Tracker: an HTTP/JSON API for track-and-field athletes and their fans"};
  cli.require_subcommand(1);

  tt::app::ServeConfig serve;
  CLI::App* serve_command = cli.add_subcommand("serve", "Serve the HTTP API");
  serve_command->add_option("--listen", serve.listen, "HOST:PORT to listen on")
      ->envname("TRACK_LISTEN")
      ->capture_default_str();
  AddStoreOptions(*serve_command, serve.store);
  serve_command
      ->add_option("--competition-cache-mb", serve.store.competition_cache_mb,
                   "Memory for recently read competitions (SQLite), in MiB; 0 turns it off")
      ->envname("TRACK_COMPETITION_CACHE_MB")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  serve_command
      ->add_option("--feed-cache-mb", serve.store.feed_cache_mb,
                   "Memory for recently read feed pages (SQLite), in MiB; 0 turns it off")
      ->envname("TRACK_FEED_CACHE_MB")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  serve_command
      ->add_option("--response-cache-mb", serve.response_cache_mb,
                   "Memory for the JSON of repeated reads (lists, feeds, batch gets; SQLite), "
                   "in MiB; 0 turns it off")
      ->envname("TRACK_RESPONSE_CACHE_MB")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  serve_command
      ->add_option("--sqlite-cache-mb", serve.store.sqlite_cache_mb,
                   "Memory for SQLite's page caches, shared by its connections, in MiB; 0 keeps "
                   "SQLite's default (2 MiB a connection)")
      ->envname("TRACK_SQLITE_CACHE_MB")
      ->check(CLI::Range(0, 65536))
      ->capture_default_str();
  serve_command->add_option("--threads", serve.threads, "I/O threads (0: one per core)")
      ->envname("TRACK_THREADS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve_command->add_option("--log-level", serve.log_level, "debug, info, warn, error or off")
      ->envname("TRACK_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  serve_command
      ->add_option("--session-ttl-days", serve.session_ttl_days, "Days a sign-in token lasts")
      ->envname("TRACK_SESSION_TTL_DAYS")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  serve_command
      ->add_option("--change-retention-days", serve.change_retention_days,
                   "Days the change log (GET /changes) keeps a change, and a webhook delivery "
                   "is kept after it succeeded or failed")
      ->envname("TRACK_CHANGE_RETENTION_DAYS")
      ->check(CLI::Range(1, 3650))
      ->capture_default_str();
  serve_command
      ->add_option("--hash-threads", serve.hash_threads,
                   "Threads for password hashing (0: one per core)")
      ->envname("TRACK_HASH_THREADS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  serve_command
      ->add_option("--shutdown-grace", serve.shutdown_grace_seconds,
                   "Seconds in-flight requests get to finish on SIGINT/SIGTERM")
      ->envname("TRACK_SHUTDOWN_GRACE")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();

  serve_command
      ->add_option("--request-timeout", serve.request_timeout_seconds,
                   "Seconds a client has to send a whole request")
      ->envname("TRACK_REQUEST_TIMEOUT")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  serve_command
      ->add_option("--idle-timeout", serve.idle_timeout_seconds,
                   "Seconds a kept-alive connection may wait for its next request")
      ->envname("TRACK_IDLE_TIMEOUT")
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  serve_command
      ->add_option("--max-connections", serve.max_connections,
                   "Open connections beyond this are closed at once")
      ->envname("TRACK_MAX_CONNECTIONS")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  serve_command
      ->add_option("--cors-origins", serve.cors_origins,
                   "Browser origins allowed to call the API: comma-separated "
                   "scheme://host[:port], or * (default: none)")
      ->envname("TRACK_CORS_ORIGINS");
  serve_command
      ->add_option("--public-url", serve.public_url,
                   "Where clients reach the server, e.g. https://api.example.com, for the "
                   "calendar URLs it hands out (default: from each request's Host header)")
      ->envname("TRACK_PUBLIC_URL");

  serve_command
      ->add_option("--webhook-key-file", serve.webhook_key_file,
                   "Key sealing webhook signing secrets, made when missing (default: webhook.key "
                   "beside the SQLite database; ./data/webhook.key with DynamoDB, the same file "
                   "for every instance)")
      ->envname("TRACK_WEBHOOK_KEY_FILE");
  serve_command
      ->add_flag("--webhook-allow-private", serve.webhook_allow_private,
                 "Allow webhook URLs with plain http or private, loopback or link-local hosts")
      ->envname("TRACK_WEBHOOK_ALLOW_PRIVATE");
  serve_command
      ->add_flag("--webhook-dispatch,!--no-webhook-dispatch", serve.webhook_dispatch,
                 "Whether this instance sends webhooks (default: it does; with several instances "
                 "on one DynamoDB table, at least one must)")
      ->envname("TRACK_WEBHOOK_DISPATCH");
  serve_command
      ->add_option("--webhook-timeout", serve.webhook_timeout_seconds,
                   "Seconds a webhook receiver has to answer a delivery")
      ->envname("TRACK_WEBHOOK_TIMEOUT")
      ->check(CLI::Range(0.5, 60.0))
      ->capture_default_str();

  tt::app::StoreSettings init_db;
  CLI::App* init_command = cli.add_subcommand(
      "init-db", "Create the database (or DynamoDB table) or migrate its schema");
  AddStoreOptions(*init_command, init_db);

  CLI::App* admin_command = cli.add_subcommand("admin", "Administration commands");
  admin_command->require_subcommand(1);
  tt::app::StoreSettings admin_db;
  std::string admin_username;
  CLI::App* grant_command = admin_command->add_subcommand("grant", "Make a user an admin");
  grant_command->add_option("USERNAME", admin_username, "The user to make an admin")->required();
  AddStoreOptions(*grant_command, admin_db);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return cli.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return cli.exit(help);
  } catch (const CLI::ParseError& error) {
    // One clear line, not a usage dump.
    std::cerr << "track-tracker: " << error.what() << " (see --help)\n";
    return error.get_exit_code() == 0 ? 2 : error.get_exit_code();
  }

  if (serve_command->parsed()) return tt::app::RunServe(serve);
  if (init_command->parsed()) return tt::app::RunInitDb(init_db);
  if (grant_command->parsed()) return tt::app::RunGrantAdmin(admin_db, admin_username);
  return 2;
}
