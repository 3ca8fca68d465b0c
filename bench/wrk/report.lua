-- Shared by the harness's wrk scripts: one JSON line with the figures bench/harness.py reads.
local report = {}

function report.done(summary, latency, extra)
  local e = summary.errors
  local fields = {
    string.format('"requests":%d', summary.requests),
    string.format('"duration_us":%d', summary.duration),
    string.format('"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d',
      e.connect, e.read, e.write, e.status, e.timeout),
    string.format('"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d',
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max),
  }
  if extra then table.insert(fields, extra) end
  io.write("BENCH_JSON {" .. table.concat(fields, ",") .. "}\n")
end

return report
