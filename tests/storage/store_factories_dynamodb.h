// The DynamoDB backend for the typed suite (store_test.cc) and for dynamodb_store_test.cc: one
// dynalite per test process, started on first use, and a table of its own for every factory
// (a unique table prefix), so that tests never see each other's items.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "api/change_encoder.h"
#include "log/logger.h"
#include "storage/dynamodb/dynamodb_store.h"
#include "storage/store.h"
#include "support/dynalite.h"
#include "support/run_sync.h"

namespace tt::testing {

// Started when the first test asks for it, stopped when the process exits.
inline Dynalite& SharedDynalite() {
  static Dynalite dynalite;
  return dynalite;
}

// A prefix no other factory of this process (or of a process run alongside) uses.
inline std::string UniqueTablePrefix() {
  static std::atomic<int> counter{0};
  static const std::string process =
      std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}() % 100000);
  return "tt_test_" + process + "_" + std::to_string(++counter) + "_";
}

// Store options for the shared dynalite; dynalite accepts any credentials.
inline DynamoDbStoreOptions DynaliteStoreOptions(std::string table_prefix) {
  DynamoDbStoreOptions options;
  options.client.settings.endpoint = SharedDynalite().endpoint();
  options.client.settings.region = "us-east-1";
  options.client.settings.credentials.access_key_id = "test";
  options.client.settings.credentials.secret_access_key = "test";
  options.table_prefix = std::move(table_prefix);
  options.change_encoder = api::MakeChangeEncoder();
  return options;
}

class DynamoDbStoreFactory {
 public:
  static constexpr std::string_view kName = "DynamoDb";

  std::unique_ptr<Store> Open() {
    Result<std::unique_ptr<DynamoDbStore>> store = RunSync(DynamoDbStore::Open(options_, logger_));
    if (!store.ok()) {
      ADD_FAILURE() << "cannot open the DynamoDB store: " << store.error().message;
      return nullptr;
    }
    return std::move(*store);
  }

  const DynamoDbStoreOptions& options() const { return options_; }

 private:
  // Warnings and errors show in the test output; expected outcomes log below that.
  Logger logger_{LogLevel::kWarn};
  DynamoDbStoreOptions options_ = DynaliteStoreOptions(UniqueTablePrefix());
};

}  // namespace tt::testing
