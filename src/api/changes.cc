// GET /changes: the change log (domain/change.h), for integrators that keep a copy of the data
// or notify their users. Admins only: it shows every write, including follows.
#include "api/auth.h"
#include "api/change_encoder.h"
#include "api/encoding.h"
#include "api/handlers.h"
#include "api/json_body.h"

namespace tt::api {

Reply ListChanges(const Services& services, const Request& request) {
  Result<Principal> principal = co_await Authenticate(services, request);
  if (!principal) co_return std::move(principal).error();
  if (!principal->user.is_admin) co_return Error::Forbidden("only admins read the change log");

  FieldErrors errors;
  ChangeQuery query;
  query.limit = LimitParam(request, errors);
  // `after` is the log's own name for the position; `cursor` (the next_cursor of a page, which is
  // the same id) lets generic page walkers use it like every other list.
  for (std::string_view name : {"after", "cursor"}) {
    std::optional<std::string_view> text = request.Query(name);
    if (!text) continue;
    std::optional<int64_t> after = ParseChangeId(*text);
    if (!after) {
      errors.Add(std::string(name), "must be a change id (decimal digits)");
    } else {
      query.after = std::max(query.after, *after);
    }
  }
  if (!errors.empty()) co_return errors.ToError();

  Result<Page<Change>> page = co_await services.store.ListChanges(query);
  if (!page) co_return std::move(page).error();
  co_return PageResponse(*page, &WriteChange,
                         [](const Change& last) { return FormatChangeId(last.id); });
}

}  // namespace tt::api
