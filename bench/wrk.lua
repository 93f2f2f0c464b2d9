-- wrk script for DateSpark's API benchmark (bench/run.py drives it).
-- BENCH_ENDPOINT: r1 (the yardstick, bench/plain_django.py) | healthz | mark | progress | is-completed
-- BENCH_TOKENS:   a JSON file with a list of access tokens (spread over users)
-- BENCH_PAIRS:    "tool:action,tool:action,..." from the catalog
local endpoint = os.getenv("BENCH_ENDPOINT") or "healthz"
local tokens = {}
local pairs_ = {}
local counter = 0
local i = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local path = os.getenv("BENCH_TOKENS")
  if path then
    local file = assert(io.open(path, "r"))
    local text = file:read("*a")
    file:close()
    for token in text:gmatch('"([^"]+)"') do
      table.insert(tokens, token)
    end
  end
  for pair in (os.getenv("BENCH_PAIRS") or ""):gmatch("([^,]+)") do
    local tool, action = pair:match("([^:]+):(.+)")
    table.insert(pairs_, { tool, action })
  end
  -- Threads start at different offsets so they do not march in step.
  i = id * 7919
end

function request()
  i = i + 1
  if endpoint == "r1" then
    return wrk.format("GET", "/")
  elseif endpoint == "healthz" then
    return wrk.format("GET", "/healthz")
  end
  local headers = { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] }
  local pair = pairs_[(i % #pairs_) + 1]
  if endpoint == "mark" then
    headers["Content-Type"] = "application/json"
    local body = string.format('{"toolName":"%s","actionName":"%s","metadata":{"run":%d}}', pair[1], pair[2], i)
    return wrk.format("POST", "/api/tool-completion/mark-completed", headers, body)
  elseif endpoint == "progress" then
    return wrk.format("GET", "/api/tool-completion/progress", headers)
  else
    local path = string.format("/api/tool-completion/is-completed?toolName=%s&actionName=%s", pair[1], pair[2])
    return wrk.format("GET", path, headers)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
