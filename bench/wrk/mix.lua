-- The mix: 90 % a valid key, 5 % a key without the route's scope (403), 5 % unknown keys (401),
-- from 1000 client addresses (X-Forwarded-For; the gateway trusts loopback as its load balancer),
-- so no single address reaches the brute-force limit. Unknown keys come from a pool of 1000, as
-- clients retrying with a revoked or mistyped key would send them. No response() callback: wrk
-- builds a Lua table per response for it, and at 8 connections its GC pauses, not the gateway,
-- set the pace; the harness counts the refusals from the gateway's gateway_denials_total.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
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
end

function request()
  return pool[math.random(1, POOL)]
end

function done(summary, latency, requests)
  report.done(summary, latency)
end
