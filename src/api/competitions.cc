// /competitions: create, read, change, delete, batch get and the filtered list.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <unordered_map>
#include <unordered_set>

#include "api/auth.h"
#include "api/conditional_write.h"
#include "api/decoding.h"
#include "api/encoding.h"
#include "api/handlers.h"
#include "api/json_body.h"
#include "api/lookups.h"
#include "domain/ids.h"

namespace tt::api {
namespace {

constexpr size_t kMaxBatchIds = 100;

// Looks up `ids` (duplicates allowed) and answers {"items": [...], "missing": [...]}, both in the
// order asked and each id once. Malformed ids are reported missing.
Reply BatchGet(const Services& services, const std::vector<std::string>& ids) {
  std::vector<std::string> wanted;
  std::unordered_set<std::string> seen;
  for (const std::string& id : ids) {
    if (IsValidId(id) && seen.insert(id).second) wanted.push_back(id);
  }
  Result<std::vector<Competition>> found = co_await services.store.GetCompetitions(wanted);
  if (!found) co_return std::move(found).error();
  std::unordered_map<std::string_view, const Competition*> by_id;
  for (const Competition& competition : *found) by_id.emplace(competition.id, &competition);

  // In the order asked, each once; the ids not found go to `missing`.
  std::string body;
  body.reserve(64 + 512 * found->size() + 40 * (ids.size() - found->size()));
  JsonWriter out(body);
  out.BeginObject();
  out.Key("items");
  out.BeginArray();
  std::vector<std::string_view> missing;
  std::unordered_set<std::string_view> answered;
  for (const std::string& id : ids) {
    if (!answered.insert(id).second) continue;
    auto it = by_id.find(id);
    if (it != by_id.end()) {
      WriteCompetition(out, *it->second);
    } else {
      missing.push_back(id);
    }
  }
  out.EndArray();
  out.Key("missing");
  out.BeginArray();
  for (std::string_view id : missing) out.String(id);
  out.EndArray();
  out.EndObject();
  co_return JsonResponse(200, std::move(body));
}

Status CheckBatchSize(size_t count) {
  if (count < 1 || count > kMaxBatchIds) {
    return Error::Validation({{"ids", "must name 1 to 100 ids"}});
  }
  return Status::Ok();
}

}  // namespace

Reply CreateCompetition(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  Competition competition;
  if (Status valid = ApplyBody(request, &DecodeCompetitionPatch, &ApplyCompetitionPatch,
                               /*creating=*/true, competition);
      !valid) {
    co_return std::move(valid).error();
  }
  competition.id = NewId(services.random);
  competition.created_by = principal->user.id;
  competition.created_at = competition.updated_at = services.clock.Now();
  competition.version = 1;
  Status created = co_await services.store.CreateCompetition(competition);
  if (!created) co_return std::move(created).error();
  co_return ResourceResponse(201, CompetitionJson(competition), competition.version,
                             "/competitions/" + competition.id);
}

Reply GetCompetition(const Services& services, const Request& request) {
  Result<Competition> competition = co_await PathCompetition(services, request);
  if (!competition) co_return std::move(competition).error();
  co_return ResourceResponse(200, CompetitionJson(*competition), competition->version);
}

namespace {

// The competition the path names; its creator owns it (nobody, once that user is deleted: then
// only admins may change it).
WriteTarget<Competition> PathCompetitionTarget(const Services& services, const Request& request) {
  return {.name = "competition",
          .load = [&services, &request] { return PathCompetition(services, request); },
          .owner = [](const Competition& competition) -> std::string_view {
            if (!competition.created_by.has_value()) return {};
            return *competition.created_by;
          }};
}

}  // namespace

Reply PatchCompetition(const Services& services, const Request& request) {
  const PatchSteps<Competition> steps{
      .target = PathCompetitionTarget(services, request),
      .change = ApplyBodyChange(request, &DecodeCompetitionPatch, &ApplyCompetitionPatch),
      .write =
          [&](const Competition& updated, int64_t expected_version) {
            return services.store.UpdateCompetition(updated, expected_version);
          },
      .to_json = &CompetitionJson};
  co_return co_await PatchResource(services, request, steps);
}

Reply DeleteCompetition(const Services& services, const Request& request) {
  co_return co_await DeleteResource(services, request, PathCompetitionTarget(services, request),
                                    [&](std::string_view id, std::optional<int64_t> version) {
                                      return services.store.DeleteCompetition(id, version);
                                    });
}

Reply ListCompetitions(const Services& services, const Request& request) {
  if (std::optional<std::string_view> ids_text = request.Query("ids")) {
    std::vector<std::string> ids;
    size_t start = 0;
    while (start <= ids_text->size()) {
      size_t comma = ids_text->find(',', start);
      if (comma == std::string_view::npos) comma = ids_text->size();
      ids.emplace_back(ids_text->substr(start, comma - start));
      start = comma + 1;
    }
    if (ids_text->empty()) ids.clear();
    if (Status size = CheckBatchSize(ids.size()); !size) co_return std::move(size).error();
    co_return co_await BatchGet(services, ids);
  }

  FieldErrors errors;
  CompetitionQuery query;
  query.limit = LimitParam(request, errors);
  query.from = DateParam(request, "from", errors);
  query.to = DateParam(request, "to", errors);
  CheckDateRange(query.from, query.to, errors);
  if (std::optional<std::string_view> text = request.Query("q")) {
    if (!text->empty()) query.text = std::string(*text);
    if (CodePointCount(*text).value_or(0) > 200) {
      errors.Add("q", "must be at most 200 characters");
    }
  }
  query.after = CursorParam(request, &DecodeCompetitionCursor, errors);
  if (!errors.empty()) co_return errors.ToError();

  Result<Page<Competition>> page = co_await services.store.ListCompetitions(query);
  if (!page) co_return std::move(page).error();
  co_return PageResponse(*page, &WriteCompetition, [](const Competition& last) {
    return EncodeCompetitionCursor({last.start_date, last.id});
  });
}

Reply BatchGetCompetitions(const Services& services, const Request& request) {
  Result<boost::json::object> body = ParseJsonObject(request);
  if (!body) co_return std::move(body).error();
  FieldErrors errors;
  FieldReader reader(*body, errors);
  reader.Require("ids");
  std::optional<std::vector<std::string>> ids = reader.StringList("ids");
  if (!errors.empty()) co_return errors.ToError();
  if (Status size = CheckBatchSize(ids->size()); !size) co_return std::move(size).error();
  co_return co_await BatchGet(services, *ids);
}

}  // namespace tt::api
