-- One request, repeated: GET BENCH_PATH with the key and workspace from the environment.
-- No per-request Lua (request()/response() are not defined), so wrk itself stays cheap.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH")
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then wrk.headers["x-api-key"] = key end
local ws = os.getenv("BENCH_WORKSPACE")
if ws and ws ~= "" then wrk.headers["X-Workspace-Id"] = ws end

function done(summary, latency, requests)
  report.done(summary, latency)
end
