-- wrk scenario "sign_in": see common.lua for the request it sends.
package.path = (os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
require("common").run("sign_in")
