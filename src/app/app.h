// The composition root: builds the store, the services, the routes and the server from a
// configuration, and runs the commands of the `track-tracker` binary. Each returns the process's
// exit code; failures are printed as one line on stderr.
#pragma once

#include <string>

#include "app/config.h"
#include "app/store_factory.h"

namespace tt::app {

// Serves until SIGINT or SIGTERM, then drains in-flight requests and closes the store.
int RunServe(const ServeConfig& config);
// Creates the database or migrates its schema.
int RunInitDb(const StoreSettings& settings);
// Makes the user named `username` an admin.
int RunGrantAdmin(const StoreSettings& settings, const std::string& username);

}  // namespace tt::app
