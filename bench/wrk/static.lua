-- wrk scenario "static": GET / against the nginx ceiling (a fixed JSON body).
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
require("common").run("static")
