-- wrk script for bench/load.py: each connection goes round the dashboard, the Gantt chart and
-- the API's milestone list. Pages carry the session cookie, the API the bearer token (the API
-- refuses the cookie). Anything but a 200 counts as an error, redirects included: a page that
-- sends the reader to sign in has failed them.
--
-- Reads SLUG, COOKIE and TOKEN from the environment.

local slug = os.getenv("SLUG")
local cookie = os.getenv("COOKIE")
local token = os.getenv("TOKEN")

local requests = {
  wrk.format("GET", "/p/" .. slug .. "/", { ["Cookie"] = cookie }),
  wrk.format("GET", "/p/" .. slug .. "/gantt", { ["Cookie"] = cookie }),
  wrk.format("GET", "/api/v1/programmes/" .. slug .. "/milestones?per_page=50",
    { ["Authorization"] = "Bearer " .. token }),
}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  bad = 0
  statuses = {}
end

function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests_)
  local bad_total = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    for status, count in pairs(thread:get("statuses")) do
      by_status[#by_status + 1] = string.format('"%d": %d', status, count)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.1f, "not_200": %d, "statuses": {%s}, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, '
      .. '"p50_ms": %.1f, "p90_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f, "mean_ms": %.1f}\n',
    summary.requests, summary.duration / 1e6, bad_total, table.concat(by_status, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
