-- Many distinct keys: GET BENCH_PATH with X-Workspace-Id, each request the next key of the file
-- BENCH_KEYS_FILE (one key a line, written by bench/harness.py into the work directory). Each of
-- the BENCH_THREADS threads takes its own slice (every BENCH_THREADS-th line) and cycles over it in
-- order, so every key is used once per pass, every ~N/rate seconds. The requests are formatted
-- once in init(); request() only hands the next one out. Each thread starts at BENCH_KEYS_OFFSET
-- (0 when unset) in its slice, so that runs in a row can go on where the one before stopped.
-- done() reports, besides the usual figures, the fewest requests any thread sent ("sent_min"),
-- the largest slice ("slice_max") and the fewest full passes any thread made over its slice
-- ("passes_min"): the harness's warm-up goes on until every key was seen (every key cached).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local reqs = {}
local n = 0
local next_index = 0
sent = 0      -- global: read by done() through thread:get
slice = 0

function init(args)
  local count = tonumber(os.getenv("BENCH_THREADS"))
  local path = os.getenv("BENCH_PATH")
  local ws = os.getenv("BENCH_WORKSPACE")
  local line_no = 0
  for key in io.lines(os.getenv("BENCH_KEYS_FILE")) do
    if key ~= "" then
      if line_no % count == id - 1 then
        n = n + 1
        reqs[n] = wrk.format("GET", path, { ["x-api-key"] = key, ["X-Workspace-Id"] = ws })
      end
      line_no = line_no + 1
    end
  end
  slice = n
  next_index = (tonumber(os.getenv("BENCH_KEYS_OFFSET") or "0") or 0) % n
end

function request()
  next_index = next_index % n + 1
  sent = sent + 1
  return reqs[next_index]
end

function done(summary, latency, requests)
  local passes, sent_min, slice_max = nil, nil, 0
  for _, thread in ipairs(threads) do
    local s, k = thread:get("sent"), thread:get("slice")
    local p = (k and k > 0) and math.floor(s / k) or 0
    if passes == nil or p < passes then passes = p end
    if sent_min == nil or s < sent_min then sent_min = s end
    if k > slice_max then slice_max = k end
  end
  report.done(summary, latency, string.format('"passes_min":%d,"sent_min":%d,"slice_max":%d',
    passes or 0, sent_min or 0, slice_max))
end
