// One factory per Store backend, for the typed suite in store_test.cc. Everything that differs
// between backends (where the data lives, how a store is opened) belongs in its factory, so that
// every test runs unchanged against each of them.
//
// A factory owns the backing data (a temporary file, a table set): each factory starts empty,
// and each Open() returns a new store instance over that same data, as a restarted server would
// see it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string_view>

#include "api/change_encoder.h"
#include "log/logger.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/store.h"
#include "support/temp_dir.h"
#ifdef TT_STORE_TESTS_DYNAMODB
#include "storage/store_factories_dynamodb.h"
#endif

namespace tt::testing {

class SqliteStoreFactory {
 public:
  static constexpr std::string_view kName = "Sqlite";

  std::unique_ptr<Store> Open() { return OpenWith(SqliteStoreOptions{}); }
  // Another store over the same data that keeps no competitions or feed pages: the answers the
  // caches must give (sqlite_feed_cache_test.cc).
  std::unique_ptr<Store> OpenUncached() {
    return OpenWith(SqliteStoreOptions{.competition_cache_bytes = 0, .feed_cache_bytes = 0});
  }

 private:
  std::unique_ptr<Store> OpenWith(SqliteStoreOptions options) {
    options.path = (dir_.path() / "data" / "tt.db").string();
    // A small pool, so that the concurrency tests also exercise waiting for a connection.
    options.pool_size = 3;
    options.change_encoder = api::MakeChangeEncoder();
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options, logger_);
    if (!store.ok()) {
      ADD_FAILURE() << "cannot open the SQLite store: " << store.error().message;
      return nullptr;
    }
    return std::move(*store);
  }

  TempDir dir_;
  // Warnings and errors show in the test output; expected outcomes log below that.
  Logger logger_{LogLevel::kWarn};
};

// The backends the typed suite runs against in this executable: SQLite in tt_storage_tests, the
// DynamoDB store on dynalite in tt_storage_dynamodb_tests (built with TT_STORE_TESTS_DYNAMODB).
#ifdef TT_STORE_TESTS_DYNAMODB
using StoreBackends = ::testing::Types<DynamoDbStoreFactory>;
#else
using StoreBackends = ::testing::Types<SqliteStoreFactory>;
#endif

}  // namespace tt::testing
