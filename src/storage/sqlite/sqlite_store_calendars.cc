// SqliteStore: calendar feed tokens (one row per user in calendar_tokens, by user id, with the
// token's hash unique). Deleting the user deletes its row through the foreign key.
#include "storage/sqlite/connection.h"
#include "storage/sqlite/group_commit.h"
#include "storage/sqlite/queries.h"
#include "storage/sqlite/rows.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/sqlite/transaction.h"

namespace tt {

using sqlite::Connection;
using sqlite::InSingleStatementRead;
using sqlite::Statement;

Async<Status> SqliteStore::SetCalendarToken(std::string_view user_id, std::string_view token_hash,
                                            Timestamp at) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    if (Status status = sqlite::RequireUser(connection, user_id); !status.ok()) return status;
    // The user's one row is replaced whole: the old hash stops matching in the same commit.
    Result<Statement> upsert = connection.Prepare(
        "INSERT INTO calendar_tokens (user_id, token_hash, created_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, "
        "created_at = excluded.created_at");
    if (!upsert.ok()) return std::move(upsert).error();
    upsert->BindAll(user_id, token_hash, sqlite::Micros(at));
    return upsert->Run();
  });
}

Async<Status> SqliteStore::DeleteCalendarToken(std::string_view user_id) {
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    if (Status status = sqlite::RequireUser(connection, user_id); !status.ok()) return status;
    Result<Statement> remove = connection.Prepare("DELETE FROM calendar_tokens WHERE user_id = ?1");
    if (!remove.ok()) return std::move(remove).error();
    remove->Bind(1, user_id);
    return remove->Run();
  });
}

Async<Result<User>> SqliteStore::FindCalendarTokenUser(std::string_view token_hash) {
  co_return InSingleStatementRead(*pool_, [&](Connection& connection) -> Result<User> {
    static const std::string kSelect =
        "SELECT " + sqlite::UserColumns() +
        " FROM calendar_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?1";
    Result<Statement> select = connection.Prepare(kSelect);
    if (!select.ok()) return std::move(select).error();
    select->Bind(1, token_hash);
    return sqlite::ReadOneRow(*select, &sqlite::ReadUser, "no such calendar token");
  });
}

}  // namespace tt
