-- Shared by every wrk scenario script: the seeded data, one request builder per scenario, the
-- counting of non-2xx answers and the RESULT line printed at the end.
--
-- A scenario script is two lines:
--   package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
--   require("common").run("get_by_id")              -- or .mix{get_by_id = 45, ...}
--
-- Environment (set by bench/run.sh):
--   BENCH_DATA_DIR   directory holding the files bench/seed.py wrote
--   BENCH_SCENARIO   name printed in the RESULT line (defaults to the scenario's own name)
--
-- wrk runs this file once in its main Lua state (setup, done) and once per thread (init,
-- request, response); counters live in each thread and done() adds them up.

local M = {}

local data_dir = os.getenv("BENCH_DATA_DIR") or "."

-- Reads `name` from the data directory: a list of lines, each a list of space-separated fields.
local function read_fields(name)
  local rows = {}
  local file = assert(io.open(data_dir .. "/" .. name, "r"), "cannot open " .. data_dir .. "/" .. name)
  for line in file:lines() do
    local row = {}
    for field in line:gmatch("%S+") do row[#row + 1] = field end
    if #row > 0 then rows[#rows + 1] = row end
  end
  file:close()
  return rows
end

local function pick(list) return list[math.random(#list)] end

local function utc_date(days_from_now)
  return os.date("!%Y-%m-%d", os.time() + days_from_now * 86400)
end

local OFFSETS = { "Z", "+01:00", "+02:00", "+03:00", "+05:30", "+09:00", "-03:00", "-05:00", "-07:00" }
local VENUES = { "Eugene, OR", "Oslo", "Tokyo", "Nairobi", "Doha", "Paris", "Kingston", "Zurich" }
local JSON_HEADERS = { ["Content-Type"] = "application/json" }

local function auth_headers(token, json)
  local headers = { ["Authorization"] = "Bearer " .. token }
  if json then headers["Content-Type"] = "application/json" end
  return headers
end

-- Data, loaded in each thread by load_data() (only what the scenarios in use need).
local competitions, athletes, follower, follower_200, organiser, batch_paths, list_paths, later_competitions

local loaders = {
  competitions = function() competitions = read_fields("competitions.txt") end,
  athletes = function() athletes = read_fields("athletes.txt") end,
  follower = function() follower = read_fields("follower.txt")[1] end,
  follower_200 = function() follower_200 = read_fields("follower_200.txt")[1] end,
  organiser = function() organiser = read_fields("organiser.txt")[1] end,
  batch_paths = function()
    -- 64 different lists of 100 distinct ids (fewer when fewer were seeded), built once.
    batch_paths = {}
    local count = math.min(100, #competitions)
    for _ = 1, 64 do
      local ids, chosen = {}, {}
      while #ids < count do
        local index = math.random(#competitions)
        if not chosen[index] then
          chosen[index] = true
          ids[#ids + 1] = competitions[index][1]
        end
      end
      batch_paths[#batch_paths + 1] = "/competitions?ids=" .. table.concat(ids, ",")
    end
  end,
  later_competitions = function()
    -- The competitions after the first fifth by start date. Events added there stay out of the
    -- feed's first page (the earliest ~50 competitions), so the feed measured in the next round
    -- reads the same page as in the first, however many events the write scenarios added.
    local starts = {}
    for _, competition in ipairs(competitions) do starts[#starts + 1] = competition[2] end
    table.sort(starts)
    local threshold = starts[math.max(1, math.floor(#starts / 5))]
    later_competitions = {}
    for _, competition in ipairs(competitions) do
      if competition[2] > threshold then later_competitions[#later_competitions + 1] = competition end
    end
    if #later_competitions == 0 then later_competitions = competitions end
  end,
  list_paths = function()
    -- Windows of 30 days starting anywhere in the seeded year: about 160 competitions overlap
    -- each at full scale, so every answer is a full page of 50.
    list_paths = {}
    for day = 0, 330 do
      list_paths[#list_paths + 1] =
        "/competitions?limit=50&from=" .. utc_date(day) .. "&to=" .. utc_date(day + 30)
    end
  end,
}

-- One request builder per scenario, and the data each needs (in load order).
local scenarios = {
  static = {
    needs = {},
    request = function() return wrk.format("GET", "/") end,
  },
  get_by_id = {
    needs = { "competitions" },
    request = function() return wrk.format("GET", "/competitions/" .. pick(competitions)[1]) end,
  },
  batch_get_100 = {
    needs = { "competitions", "batch_paths" },
    request = function() return wrk.format("GET", pick(batch_paths)) end,
  },
  list_page = {
    needs = { "list_paths" },
    request = function() return wrk.format("GET", pick(list_paths)) end,
  },
  feed = {
    needs = { "follower" },
    request = function()
      return wrk.format("GET", "/users/" .. follower[1] .. "/feed?limit=50", auth_headers(follower[2]))
    end,
  },
  feed_200 = {
    needs = { "follower_200" },
    request = function()
      return wrk.format("GET", "/users/" .. follower_200[1] .. "/feed?limit=50", auth_headers(follower_200[2]))
    end,
  },
  create_competition = {
    needs = { "organiser" },
    request = function()
      -- After the first fifth of the seeded year, like add_event's events: the feed's first page
      -- (its earliest ~50 competitions) stays the same page in every round.
      local start = math.random(80, 360)
      local body = string.format(
        '{"name":"Bench Created %d","location":"%s","start_date":"%s","end_date":"%s",' ..
          '"description":"created by bench/wrk","url":"https://example.org/created"}',
        math.random(1, 1000000000), pick(VENUES), utc_date(start), utc_date(start + math.random(0, 2)))
      return wrk.format("POST", "/competitions", auth_headers(organiser[2], true), body)
    end,
  },
  add_event = {
    needs = { "competitions", "later_competitions", "athletes" },
    request = function()
      local athlete = pick(athletes)       -- id username password token
      local competition = pick(later_competitions) -- id start_date end_date
      -- The competition's first day at the venue, whatever the offset: always inside its dates.
      local body = string.format(
        '{"competition_id":"%s","name":"bench heat %d","date_time":"%sT%02d:%02d:00%s"}',
        competition[1], math.random(1, 9), competition[2], math.random(8, 21),
        15 * math.random(0, 3), pick(OFFSETS))
      return wrk.format("POST", "/athletes/" .. athlete[1] .. "/events", auth_headers(athlete[4], true), body)
    end,
  },
  sign_in = {
    needs = { "athletes" },
    request = function()
      local athlete = pick(athletes) -- correct password: failures would be rate-limited (429)
      local body = string.format('{"username":"%s","password":"%s"}', athlete[2], athlete[3])
      return wrk.format("POST", "/sessions", JSON_HEADERS, body)
    end,
  },
}

-- ---- wrk callbacks --------------------------------------------------------------------------

local threads = {} -- main state: every thread, for done()
local thread_count = 0

-- Defines wrk's global callbacks for a request function and the data it needs.
local function install(name, needs, request_fn)
  function setup(thread)
    thread_count = thread_count + 1
    thread:set("thread_index", thread_count)
    threads[#threads + 1] = thread
  end

  function init(_)
    math.randomseed(os.time() * 1000 + (thread_index or 0) * 7919)
    local loaded = {}
    for _, need in ipairs(needs) do
      if not loaded[need] then
        loaders[need]()
        loaded[need] = true
      end
    end
    non2xx = 0
    statuses = {}
  end

  request = request_fn

  function response(status, _, _)
    if status < 200 or status > 299 then
      non2xx = non2xx + 1
      statuses[status] = (statuses[status] or 0) + 1
    end
  end

  function done(summary, latency, _)
    local bad, by_status = 0, {}
    for _, thread in ipairs(threads) do
      bad = bad + (thread:get("non2xx") or 0)
      for status, count in pairs(thread:get("statuses") or {}) do
        by_status[status] = (by_status[status] or 0) + count
      end
    end
    local parts = {}
    for status, count in pairs(by_status) do parts[#parts + 1] = string.format('"%d":%d', status, count) end
    local errors = summary.errors
    local seconds = summary.duration / 1e6
    -- One line, parsed by bench/report.py. Latencies are in milliseconds.
    io.write(string.format(
      'RESULT {"scenario":"%s","requests":%d,"duration_s":%.3f,"rps":%.1f,"bytes":%d,' ..
        '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,' ..
        '"non2xx":%d,"statuses":{%s},"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
      os.getenv("BENCH_SCENARIO") or name, summary.requests, seconds, summary.requests / seconds,
      summary.bytes, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000,
      bad, table.concat(parts, ","), errors.connect, errors.read, errors.write, errors.timeout))
  end
end

-- Runs one scenario by name.
function M.run(name)
  local scenario = assert(scenarios[name], "unknown scenario " .. name)
  install(name, scenario.needs, scenario.request)
end

-- Runs a weighted mix of scenarios, e.g. mix{get_by_id = 45, create_competition = 5}.
function M.mix(weights)
  local needs, table_of_choices = {}, {}
  local names = {}
  for name in pairs(weights) do names[#names + 1] = name end
  table.sort(names) -- deterministic order of data loading
  for _, name in ipairs(names) do
    local scenario = assert(scenarios[name], "unknown scenario " .. name)
    for _, need in ipairs(scenario.needs) do needs[#needs + 1] = need end
    for _ = 1, weights[name] do table_of_choices[#table_of_choices + 1] = scenario.request end
  end
  install("mixed", needs, function() return table_of_choices[math.random(#table_of_choices)]() end)
end

return M
