-- The attack: every request a key never seen before, each from a different client address
-- (X-Forwarded-For from a /16; the gateway trusts loopback as its load balancer), so neither the
-- negative cache nor the per-address brute-force limit can answer it (before keys carried a tag,
-- each cost a Redis look-up; now the tag check and the filter of untagged keys refuse it locally).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local report = require("report")

local path, ws
local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)   -- each thread its own random sequence: no key sent twice
end

function init(args)
  math.randomseed(os.time() * 7919 + id * 104729)
  path = os.getenv("BENCH_PATH")
  ws = os.getenv("BENCH_WORKSPACE")
end

function request()
  local t = {}
  for i = 1, 40 do -- the length of a minted key: the tag check runs on every one
    local n = math.random(1, 62)
    t[i] = chars:sub(n, n)
  end
  local ip = string.format("10.%d.%d.%d", math.random(2, 250), math.random(0, 255), math.random(1, 250))
  return wrk.format("GET", path, { ["x-api-key"] = "pp_live_sk_" .. table.concat(t),
                                   ["X-Workspace-Id"] = ws, ["X-Forwarded-For"] = ip })
end

function done(summary, latency, requests)
  report.done(summary, latency)
end
