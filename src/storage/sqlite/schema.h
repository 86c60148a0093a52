// The SqliteStore schema as an ordered list of migrations. The file's `PRAGMA user_version` is
// the number of migrations applied; it lives in the database header and changes inside the
// migration's own transaction, so a migration and its version number commit together.
#pragma once

#include "domain/error.h"
#include "storage/sqlite/connection.h"

namespace tt::sqlite {

// The schema version this build writes: the number of known migrations.
int LatestSchemaVersion();

// Applies every migration the file lacks, each in its own IMMEDIATE transaction, and returns
// the resulting version. Safe to run concurrently from several processes (each migration
// re-reads the version under the write lock) and idempotent. kInternal when the file was
// written by a newer build (its version is above LatestSchemaVersion()).
Result<int> Migrate(Connection& connection);

}  // namespace tt::sqlite
