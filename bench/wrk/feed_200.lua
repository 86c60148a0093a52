-- wrk scenario "feed_200": see common.lua for the request it sends.
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
require("common").run("feed_200")
