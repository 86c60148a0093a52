-- wrk scenario "mixed": 90% reads, 10% writes, each request drawn at random with these weights.
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
require("common").mix({
  get_by_id = 45, list_page = 20, feed = 15, batch_get_100 = 10, -- reads: 90
  create_competition = 5, add_event = 5,                           -- writes: 10
})
