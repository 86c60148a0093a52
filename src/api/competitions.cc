// /competitions: create, read, change, delete, batch get and the filtered list.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "api/auth.h"
#include "api/cached_read.h"
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

// The JSON of each of `ids` (valid, each once) that names a competition: kept by the response
// cache at the store's current generation, or read from the store (and then kept).
struct CompetitionsJson {
  std::string json;                        // every item found, one after another
  std::vector<ResponseCache::Span> spans;  // where the i-th id's item is; empty: not found
};

boost::asio::awaitable<Result<CompetitionsJson>> ReadCompetitionsJson(
    const Services& services, const std::vector<std::string>& ids) {
  constexpr std::string_view kKind = "competition";
  CompetitionsJson items{std::string(), std::vector<ResponseCache::Span>(ids.size())};
  items.json.reserve(512 * ids.size());
  std::optional<uint64_t> generation;
  if (services.responses != nullptr) {
    generation = services.store.ReadGeneration(ReadScope::kCompetitions);
  }
  if (generation.has_value()) {
    services.responses->FindItems(kKind, ids, *generation, items.json, items.spans);
  }
  std::vector<std::string> to_read;
  std::unordered_map<std::string_view, size_t> index_of;  // of the ids to read
  for (size_t i = 0; i < ids.size(); ++i) {
    if (items.spans[i].size != 0) continue;
    index_of.emplace(ids[i], i);
    to_read.push_back(ids[i]);
  }
  if (to_read.empty()) co_return items;
  Result<std::vector<Competition>> found = co_await services.store.GetCompetitions(to_read);
  if (!found) co_return std::move(found).error();
  for (const Competition& competition : *found) {
    auto index = index_of.find(competition.id);
    if (index == index_of.end()) continue;  // not asked: a store's bug, not answered
    const size_t offset = items.json.size();
    JsonWriter out(items.json);
    WriteCompetition(out, competition);
    items.spans[index->second] = {offset, items.json.size() - offset};
    if (generation.has_value()) {
      services.responses->Insert(ResponseCache::ItemKey(kKind, competition.id), *generation,
                                 items.json.substr(offset));
    }
  }
  co_return items;
}

// Looks up `ids` (duplicates allowed) and answers {"items": [...], "missing": [...]}, both in the
// order asked and each id once. Malformed ids are reported missing.
Reply BatchGet(const Services& services, const std::vector<std::string>& ids) {
  // The first time each id is asked; the valid ones are looked up, in that order.
  std::vector<std::string> wanted;
  std::vector<bool> first(ids.size(), false);
  std::unordered_set<std::string_view> seen;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!seen.insert(ids[i]).second) continue;
    first[i] = true;
    if (IsValidId(ids[i])) wanted.push_back(ids[i]);
  }
  Result<CompetitionsJson> found = co_await ReadCompetitionsJson(services, wanted);
  if (!found) co_return std::move(found).error();

  // In the order asked, each once; the ids not found go to `missing`.
  std::string body;
  body.reserve(64 + 512 * wanted.size() + 40 * (ids.size() - wanted.size()));
  JsonWriter out(body);
  out.BeginObject();
  out.Key("items");
  out.BeginArray();
  std::vector<std::string_view> missing;
  size_t next_wanted = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!first[i]) continue;
    const ResponseCache::Span item =
        IsValidId(ids[i]) ? found->spans[next_wanted++] : ResponseCache::Span{};
    if (item.size != 0) {
      out.RawValue(std::string_view(found->json).substr(item.offset, item.size));
    } else {
      missing.push_back(ids[i]);
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

  // Every field of the query, as parsed (the store answers from them alone).
  std::string key = ResponseCache::Key()
                        .Add("competitions")
                        .Add(query.from.has_value() ? query.from->ToString() : "")
                        .Add(query.to.has_value() ? query.to->ToString() : "")
                        .Add(query.text.value_or(""))
                        .Add(query.after.has_value() ? EncodeCompetitionCursor(*query.after) : "")
                        .Add(query.limit)
                        .Take();
  co_return co_await CachedRead(services, ReadScope::kCompetitions, std::move(key), [&]() -> Reply {
    Result<Page<Competition>> page = co_await services.store.ListCompetitions(query);
    if (!page) co_return std::move(page).error();
    co_return PageResponse(*page, &WriteCompetition, [](const Competition& last) {
      return EncodeCompetitionCursor({last.start_date, last.id});
    });
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
