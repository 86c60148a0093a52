// SqliteStore: competitions.
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

#include "domain/case_folding.h"
#include "storage/sqlite/competition_cache.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/field_rows.h"
#include "storage/sqlite/group_commit.h"
#include "storage/sqlite/queries.h"
#include "storage/sqlite/rows.h"
#include "storage/sqlite/sqlite_store.h"
#include "storage/sqlite/transaction.h"

namespace tt {

using sqlite::Connection;
using sqlite::InSingleStatementRead;
using sqlite::RowReader;
using sqlite::Statement;

namespace {

constexpr char kCompetitionVersion[] = "SELECT version FROM competitions WHERE id = ?1";
constexpr char kNoSuchCompetition[] = "no such competition";

// Bounds that stand for an absent filter, so that one statement (and its index plan) serves
// every combination: every stored date sorts after "" and not after the last valid date.
constexpr char kBeforeAnyDate[] = "";
constexpr char kLastDate[] = "9999-12-31";

}  // namespace

Async<Status> SqliteStore::CreateCompetition(const Competition& competition) {
  const std::string change = change_encoder_->Competition(competition);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(competition.id);
    static const std::string kInsert = sqlite::InsertSql("competitions", kCompetitionFields);
    Status status = sqlite::InsertRow(connection, kInsert, kCompetitionFields, competition);
    if (!status.ok() && status.error().code == ErrorCode::kConflict) {
      return Error::Conflict("a competition with this id already exists");
    }
    if (!status.ok() && status.error().code == ErrorCode::kNotFound) {
      return Error::NotFound("no such user (created_by)");
    }
    if (!status.ok()) return status;
    return AppendChange(connection, ChangeType::kCompetitionCreated, change);
  });
}

Async<Result<Competition>> SqliteStore::GetCompetition(std::string_view id) {
  if (std::optional<Competition> cached = competitions_->Find(id)) co_return std::move(*cached);
  // Taken before the read: see CompetitionCache::Insert.
  const uint64_t generation = competitions_->Generation();
  Result<Competition> competition =
      InSingleStatementRead(*pool_, [&](Connection& connection) -> Result<Competition> {
        static const std::string kSelect =
            "SELECT " + sqlite::CompetitionColumns() + " FROM competitions c WHERE c.id = ?1";
        Result<Statement> select = connection.Prepare(kSelect);
        if (!select.ok()) return std::move(select).error();
        select->Bind(1, id);
        return sqlite::ReadOneRow(*select, &sqlite::ReadCompetition, kNoSuchCompetition);
      });
  if (competition.ok()) competitions_->Insert(generation, *competition);
  co_return competition;
}

Async<Result<std::vector<Competition>>> SqliteStore::GetCompetitions(
    std::span<const std::string> ids) {
  // The cached ones first; one statement reads the others.
  std::vector<Competition> found;
  std::vector<std::string> missing;
  std::unordered_set<std::string_view> seen;
  for (const std::string& id : ids) {
    if (!seen.insert(id).second) continue;
    if (std::optional<Competition> cached = competitions_->Find(id)) {
      found.push_back(std::move(*cached));
    } else {
      missing.push_back(id);
    }
  }
  if (missing.empty()) co_return found;
  const uint64_t generation = competitions_->Generation();
  const std::string id_list = sqlite::EncodeStringList(missing);
  Result<std::vector<Competition>> read = InSingleStatementRead(
      *pool_, [&](Connection& connection) -> Result<std::vector<Competition>> {
        // The ids travel as one JSON array parameter.
        static const std::string kSelect =
            "SELECT " + sqlite::CompetitionColumns() +
            " FROM competitions c WHERE c.id IN (SELECT value FROM json_each(?1))";
        Result<Statement> select = connection.Prepare(kSelect);
        if (!select.ok()) return std::move(select).error();
        select->Bind(1, id_list);
        return sqlite::ReadAllRows(*select, &sqlite::ReadCompetition);
      });
  if (!read.ok()) co_return std::move(read).error();
  for (Competition& competition : *read) {
    competitions_->Insert(generation, competition);
    found.push_back(std::move(competition));
  }
  co_return found;
}

Async<Status> SqliteStore::UpdateCompetition(const Competition& competition,
                                             int64_t expected_version) {
  const std::string start_date = competition.start_date.ToString();
  const std::string end_date = competition.end_date.ToString();
  const std::string change = change_encoder_->Competition(competition);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(competition.id);
    if (Status status = sqlite::CheckVersion(connection, kCompetitionVersion, competition.id,
                                             expected_version, kNoSuchCompetition);
        !status.ok()) {
      return status;
    }
    // Two ranges of the (competition_id, local_date) index, each stopping at its first row;
    // checked under the write lock, so no event can slip outside the dates before the update.
    Result<Statement> outside = connection.Prepare(
        "SELECT EXISTS (SELECT 1 FROM events WHERE competition_id = ?1 AND local_date < ?2)"
        " OR EXISTS (SELECT 1 FROM events WHERE competition_id = ?1 AND local_date > ?3)");
    if (!outside.ok()) return std::move(outside).error();
    outside->BindAll(competition.id, start_date, end_date);
    Result<bool> row = outside->Step();
    if (!row.ok()) return std::move(row).error();
    if (*row && outside->Int(0) != 0)
      return Error::Conflict("an event at this competition would fall outside the new dates");

    // id, created_by and created_at stay as stored.
    static const std::string kUpdate = sqlite::UpdateSql("competitions", kCompetitionFields);
    if (Status status = sqlite::UpdateRow(connection, kUpdate, kCompetitionFields, competition,
                                          expected_version);
        !status.ok()) {
      return status;
    }
    return AppendChange(connection, ChangeType::kCompetitionUpdated, change);
  });
}

Async<Status> SqliteStore::DeleteCompetition(std::string_view id,
                                             std::optional<int64_t> expected_version) {
  const std::string change = change_encoder_->Deleted(id);
  co_return co_await writer_->Run([&](Connection& connection) -> Status {
    writer_->NoteChanged(std::string(id));
    // Its events go with it (ON DELETE CASCADE).
    if (Status status = sqlite::DeleteVersioned(connection, kCompetitionVersion,
                                                "DELETE FROM competitions WHERE id = ?1", id,
                                                expected_version, kNoSuchCompetition);
        !status.ok()) {
      return status;
    }
    return AppendChange(connection, ChangeType::kCompetitionDeleted, change);
  });
}

Async<Result<Page<Competition>>> SqliteStore::ListCompetitions(const CompetitionQuery& query) {
  const int limit = sqlite::PageLimit(query.limit);
  co_return InSingleStatementRead(*pool_, [&](Connection& connection) -> Result<Page<Competition>> {
    // Walks the (start_date, id) index from the cursor (or from `from` minus the longest
    // competition) up to `to`; overlap is end_date >= from AND start_date <= to. instr(), not LIKE,
    // so that `%` and `_` in the text are plain characters; tt_fold() is the domain's FoldCase (see
    // connection.cc).
    static const std::string kSelect =
        "SELECT " + sqlite::CompetitionColumns() +
        " FROM competitions c"
        " WHERE c.end_date >= ?1 AND c.start_date <= ?2"
        " AND (?3 IS NULL OR instr(tt_fold(c.name), ?3) > 0"
        " OR instr(tt_fold(c.location), ?3) > 0)"
        " AND " TT_SQL_STARTS_AFTER("?1", "?4", "?5") " ORDER BY c.start_date, c.id LIMIT ?6";
    Result<Statement> select = connection.Prepare(kSelect);
    if (!select.ok()) return std::move(select).error();
    select->BindAll(
        query.from.has_value() ? query.from->ToString() : kBeforeAnyDate,
        query.to.has_value() ? query.to->ToString() : kLastDate,
        query.text.has_value() ? std::optional<std::string>(FoldCase(*query.text)) : std::nullopt,
        query.after.has_value() ? query.after->start_date.ToString() : kBeforeAnyDate,
        query.after.has_value() ? query.after->id : std::string(), limit + 1);
    return sqlite::ReadPage(*select, &sqlite::ReadCompetition, limit);
  });
}

}  // namespace tt
