-- The mix: 90 % a valid key, 5 % a key without the route's scope (403), 5 % unknown keys (401),
-- from 1000 client addresses (X-Forwarded-For; the gateway trusts loopback as its load balancer),
-- so no single address reaches the brute-force limit. Unknown keys come from a pool of 1000, as
-- clients retrying with a revoked or mistyped key would send them. Counts answers by status.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local pool = {}
local POOL = 4096

local function random_key()
  local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
  local t = {}
  for i = 1, 32 do
    local n = math.random(1, #chars)
    t[i] = chars:sub(n, n)
  end
  return "pp_live_sk_" .. table.concat(t)
end

function init(args)
  math.randomseed(os.time() * 1000 + id * 104729)
  local path = os.getenv("BENCH_PATH")
  local ws = os.getenv("BENCH_WORKSPACE")
  local valid = os.getenv("BENCH_KEY")
  local noscope = os.getenv("BENCH_NOSCOPE_KEY")
  local unknown = {}
  for i = 1, 1000 do unknown[i] = random_key() end
  for i = 1, POOL do
    local r = math.random(1, 100)
    local key = valid
    if r > 95 then key = unknown[math.random(1, 1000)] elseif r > 90 then key = noscope end
    local ip = string.format("10.1.%d.%d", math.random(0, 3), math.random(1, 250))
    pool[i] = wrk.format("GET", path, { ["x-api-key"] = key, ["X-Workspace-Id"] = ws, ["X-Forwarded-For"] = ip })
  end
  s200, s401, s403, s429, sother = 0, 0, 0, 0, 0
end

function request()
  return pool[math.random(1, POOL)]
end

function response(status, headers, body)
  if status == 200 then s200 = s200 + 1
  elseif status == 401 then s401 = s401 + 1
  elseif status == 403 then s403 = s403 + 1
  elseif status == 429 then s429 = s429 + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local c = { 0, 0, 0, 0, 0 }
  for _, t in ipairs(threads) do
    c[1] = c[1] + t:get("s200"); c[2] = c[2] + t:get("s401"); c[3] = c[3] + t:get("s403")
    c[4] = c[4] + t:get("s429"); c[5] = c[5] + t:get("sother")
  end
  report.done(summary, latency, string.format('"status_200":%d,"status_401":%d,"status_403":%d,"status_429":%d,"status_other":%d',
    c[1], c[2], c[3], c[4], c[5]))
end
