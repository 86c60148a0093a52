#include "app/app.h"

#include <malloc.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>
#include <variant>
#include <vector>

#include "api/response_cache.h"
#include "api/routes.h"
#include "api/services.h"
#include "app/change_retention.h"
#include "app/config.h"
#include "app/store_factory.h"
#include "domain/ids.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "security/password_hasher.h"
#include "security/secret_box.h"
#include "security/tokens.h"
#include "webhooks/dispatcher.h"

namespace tt::app {
namespace {

namespace asio = boost::asio;

void PrintError(std::string_view message) { std::cerr << "track-tracker: " << message << "\n"; }

// Runs `task` to completion on `io`, before (or without) the server's threads, and leaves `io`
// ready to run again.
template <typename T>
T RunToCompletion(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> result;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr failure, T value) {
    if (failure) std::rethrow_exception(failure);
    result.emplace(std::move(value));
  });
  io.run();
  io.restart();
  return std::move(*result);
}

// Ends at SIGINT or SIGTERM.
asio::awaitable<void> WaitForSignal(asio::signal_set& signals, Logger& logger) {
  const int signal = co_await signals.async_wait(asio::use_awaitable);
  logger.Info("signal " + std::to_string(signal) + ": draining connections");
}

std::string DescribeFailure(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

// glibc gives the top of a heap back to the OS once 128 KiB there are free, and maps each block
// over 128 KiB on its own until its adaptive threshold rises. A batch get or a feed page
// allocates and frees tens of KiB a request, so under load each request faulted fresh pages in
// again: batch_get_100 ran at 6.4k requests/s using 223 µs of server CPU each, and at 10.1k and
// 125 µs with these two settings (docs/BENCHMARKS.md). The cost: each arena keeps up to 8 MiB
// that it no longer uses, instead of returning it. Called before any thread starts.
void KeepFreedMemoryForReuse() {
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

int HardwareThreads() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

// GET /metrics: the HTTP layer's metrics, the store's counters and, when this instance
// dispatches webhooks, the dispatcher's (none of which costs a store call).
api::Route MetricsRoute(const http::Metrics& metrics, const Store& store,
                        const api::ResponseCache& responses,
                        const webhooks::Dispatcher* dispatcher) {
  return api::Route{"GET", "/metrics", api::Access::kPublic,
                    [&metrics, &store, &responses,
                     dispatcher](const api::Request&) -> asio::awaitable<Result<api::Response>> {
                      api::Response response;
                      response.content_type = "text/plain; version=0.0.4";
                      response.body = metrics.Render();
                      std::vector<StoreCounter> counters = store.Counters();
                      for (StoreCounter& counter : responses.Counters()) {
                        counters.push_back(std::move(counter));
                      }
                      for (const StoreCounter& counter : counters) {
                        response.body += "# HELP " + counter.name + " " + counter.help +
                                         "\n# TYPE " + counter.name +
                                         (counter.gauge ? " gauge\n" : " counter\n") +
                                         counter.name + " " + std::to_string(counter.value) + "\n";
                      }
                      if (dispatcher != nullptr) response.body += dispatcher->RenderMetrics();
                      co_return response;
                    }};
}

// The webhook dispatcher's context and thread, so that receivers never hold an I/O thread.
// Stop() cancels the dispatcher and returns once it has ended (its attempts with it).
class DispatcherThread {
 public:
  DispatcherThread(webhooks::Dispatcher& dispatcher, Logger& logger) {
    // A timer's service opens the context's reactor (its descriptors) here, at start-up, rather
    // than when the dispatcher first waits: what a server holds once it announces its port is
    // what it holds when idle.
    asio::steady_timer open_reactor(io_);
    asio::co_spawn(
        io_, dispatcher.Run(),
        asio::bind_cancellation_slot(stop_.slot(), [this, &logger](std::exception_ptr failure) {
          if (failure) {
            logger.Error("webhooks: the dispatcher stopped: " + DescribeFailure(failure));
          }
          // Lookups left behind by the sender may still be queued: do not wait.
          io_.stop();
        }));
    thread_ = std::thread([this] { io_.run(); });
  }
  DispatcherThread(const DispatcherThread&) = delete;
  DispatcherThread& operator=(const DispatcherThread&) = delete;
  ~DispatcherThread() { Stop(); }

  void Stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] { stop_.emit(asio::cancellation_type::terminal); });
    thread_.join();
    // A store write the dispatcher started may still be queued at SQLite's group committer,
    // which posts its completion here; the context must outlive it (ASan saw the committer post
    // into a destroyed context at a SIGTERM). Let the work left finish, within a bound: a DNS
    // lookup that never answers must not hold the exit.
    io_.restart();
    io_.run_for(std::chrono::seconds(2));
  }

 private:
  asio::io_context io_{1};
  asio::cancellation_signal stop_;
  std::thread thread_;
};

}  // namespace

int RunServe(const ServeConfig& config) {
  KeepFreedMemoryForReuse();
  std::optional<LogLevel> level = ParseLogLevel(config.log_level);
  if (!level) {
    PrintError("--log-level must be one of debug, info, warn, error, off");
    return 2;
  }
  Result<ListenAddress> listen = ParseListenAddress(config.listen);
  if (!listen) {
    PrintError(listen.error().message);
    return 2;
  }
  Result<http::CorsPolicy> cors = http::CorsPolicy::Parse(config.cors_origins);
  if (!cors) {
    PrintError(cors.error().message);
    return 2;
  }
  Result<std::string> public_url = ParsePublicUrl(config.public_url);
  if (!public_url) {
    PrintError(public_url.error().message);
    return 2;
  }
  Logger logger(*level);
  // The access log is a line per request: appended to a buffer of the I/O thread, written in
  // batches (a clean stop writes the rest when the logger goes).
  logger.StartBuffering();
  const int threads = config.threads > 0 ? config.threads : HardwareThreads();
  // One io_context per I/O thread, each run by that thread alone (hint 1): a connection's
  // request never wakes or waits for another thread. The first also accepts and handles
  // signals.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::io_context*> connection_contexts;
  for (int i = 0; i < threads; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    connection_contexts.push_back(contexts.back().get());
  }
  asio::io_context& io = *contexts.front();
  // Opened on the first io_context (DynamoDB's client runs on the caller's executor), before
  // the threads start.
  Result<std::unique_ptr<Store>> store = RunToCompletion(io, OpenStore(config.store, logger));
  if (!store) {
    PrintError(store.error().message);
    return 1;
  }

  SystemClock clock;
  SodiumRandom random;
  PasswordHashOptions hash_options;
  hash_options.threads = config.hash_threads > 0 ? config.hash_threads : HardwareThreads();
  PasswordHasher hasher(hash_options);
  api::ApiOptions api_options;
  api_options.session_ttl = std::chrono::hours(24) * config.session_ttl_days;
  api_options.public_url = std::move(*public_url);
  api_options.webhook_allow_private = config.webhook_allow_private;

  const std::string key_file = WebhookKeyFile(config);
  std::error_code ignored;
  const bool key_file_existed = std::filesystem::exists(key_file, ignored);
  Result<SecretBox> secret_box = SecretBox::FromKeyFile(key_file, /*create=*/true, random);
  if (!secret_box) {
    PrintError("webhook key: " + secret_box.error().message);
    return 1;
  }
  const Result<DatabaseLocation> location = ParseDatabaseUrl(config.store.db_url);
  const bool on_dynamodb = location.ok() && std::holds_alternative<DynamoDbLocation>(*location);
  if (!key_file_existed) {
    logger.Info(
        "webhooks: made a new key file " + key_file +
        (on_dynamodb ? "; every instance sharing the table must be given this same file" : ""));
  }
  api::ResponseCache responses(static_cast<size_t>(config.response_cache_mb) << 20);
  api::Services services{**store, hasher,      clock,        random,
                         logger,  api_options, &*secret_box, &responses};

  webhooks::DispatcherOptions dispatcher_options;
  dispatcher_options.instance_id = NewId(random);
  dispatcher_options.sender.allow_private = config.webhook_allow_private;
  dispatcher_options.sender.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(config.webhook_timeout_seconds * 1000));
  asio::ssl::context webhook_tls(asio::ssl::context::tls_client);
  // The system's CA certificates (or SSL_CERT_FILE / SSL_CERT_DIR when set).
  webhook_tls.set_default_verify_paths();
  webhook_tls.set_verify_mode(asio::ssl::verify_peer);
  dispatcher_options.sender.tls = &webhook_tls;
  webhooks::Dispatcher dispatcher(**store, *secret_box, clock, random, logger,
                                  std::move(dispatcher_options));

  http::Metrics metrics;
  std::vector<api::Route> routes = api::MakeRoutes(services);
  routes.push_back(
      MetricsRoute(metrics, **store, responses, config.webhook_dispatch ? &dispatcher : nullptr));
  http::Router router(std::move(routes));

  http::ServerOptions server_options;
  server_options.host = listen->host;
  server_options.port = listen->port;
  server_options.shutdown_grace = std::chrono::seconds(config.shutdown_grace_seconds);
  server_options.request_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(config.request_timeout_seconds * 1000));
  server_options.idle_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(config.idle_timeout_seconds * 1000));
  server_options.max_connections = static_cast<size_t>(config.max_connections);
  server_options.cors = std::move(*cors);
  // DynamoDB reads suspend on the network, so a read whose client left can be stopped; SQLite
  // reads run to the end without suspending, and the watch would only cost a wake-up each.
  server_options.cancel_reads_on_hangup = on_dynamodb;
  http::Server server(io, connection_contexts, server_options, router, metrics, logger);
  asio::ip::tcp::endpoint endpoint;
  try {
    endpoint = server.Listen();
  } catch (const std::system_error& error) {
    PrintError("cannot listen on " + config.listen + ": " + error.code().message());
    return 1;
  }
  // Signals are handled before the port is announced, so that whoever starts the server can
  // stop it cleanly from then on.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  server.Start();
  // The server's life on the first context: change retention runs beside the requests (hourly,
  // so the log holds at most an hour more than its retention) until a signal. `||` cancels the
  // retention pass and waits for it to unwind, and the drain waits for the requests: when the
  // contexts stop, nothing is left in the middle of a store call, so the store can close.
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        using namespace asio::experimental::awaitable_operators;
        co_await (ApplyRetentionPeriodically(**store, clock,
                                             std::chrono::hours(24) * config.change_retention_days,
                                             std::chrono::hours(1), logger) ||
                  WaitForSignal(signals, logger));
        co_await server.Shutdown();
      },
      [&](std::exception_ptr failure) {
        if (failure) logger.Error("shutdown failed: " + DescribeFailure(failure));
        for (asio::io_context* context : connection_contexts) context->stop();
      });
  // Started before the port is announced, so that what it opens (its io_context's descriptors) is
  // there when whoever started the server looks.
  std::optional<DispatcherThread> webhook_dispatcher;
  if (config.webhook_dispatch) {
    webhook_dispatcher.emplace(dispatcher, logger);
  } else {
    logger.Info("webhooks: this instance sends none (--no-webhook-dispatch)");
  }
  // Tools and tests read this line to learn the port (it matters with --listen HOST:0).
  std::cout << "track-tracker listening on http://"
            << config.listen.substr(0, config.listen.rfind(':')) << ":" << endpoint.port()
            << std::endl;
  logger.Info("serving with " + std::to_string(threads) + " I/O threads");

  // The other contexts have nothing to do until a connection arrives; the guards keep their
  // run() from returning before then. Shutdown stops every context.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) {
    keep_running.push_back(asio::make_work_guard(*contexts[i]));
    workers.emplace_back([context = contexts[i].get()] { context->run(); });
  }
  io.run();
  for (std::thread& worker : workers) worker.join();
  webhook_dispatcher.reset();  // stops it before the store closes: its attempts use it
  hasher.Stop();
  store->reset();  // closes the database before the process exits
  logger.Info("stopped");
  return 0;
}

int RunInitDb(const StoreSettings& settings) {
  Logger logger(LogLevel::kWarn);
  asio::io_context io;
  Result<std::unique_ptr<Store>> store = RunToCompletion(io, OpenStore(settings, logger));
  if (!store) {
    PrintError(store.error().message);
    return 1;
  }
  Status ping = RunToCompletion(io, (*store)->Ping());
  if (!ping) {
    PrintError(ping.error().message);
    return 1;
  }
  std::cout << "database ready: " << settings.db_url << std::endl;
  return 0;
}

int RunGrantAdmin(const StoreSettings& settings, const std::string& username) {
  Logger logger(LogLevel::kWarn);
  asio::io_context io;
  Result<std::unique_ptr<Store>> store = RunToCompletion(io, OpenStore(settings, logger));
  if (!store) {
    PrintError(store.error().message);
    return 1;
  }
  Store& db = **store;
  Status granted = RunToCompletion(io, [&]() -> asio::awaitable<Status> {
    Result<UserCredentials> found = co_await db.FindUserByUsername(username);
    if (!found) co_return std::move(found).error();
    User user = found->user;
    if (user.is_admin) co_return Status::Ok();
    user.is_admin = true;
    user.version += 1;
    user.updated_at = SystemClock().Now();
    co_return co_await db.UpdateUser(user, found->user.version, std::nullopt, "");
  }());
  if (!granted) {
    PrintError(granted.error().code == ErrorCode::kNotFound ? "no user named " + username
                                                            : granted.error().message);
    return 1;
  }
  std::cout << username << " is an admin" << std::endl;
  return 0;
}

}  // namespace tt::app
