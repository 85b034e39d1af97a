-- wrk script for bench/webhook.py: replays pre-signed Twilio webhook requests.
--
-- Arguments (after wrk's "--"): the request file (one "signature<TAB>form body" per line), the
-- number of wrk threads (each thread takes every n-th line, so no two send the same
-- MessageSid), and an optional delay in milliseconds before each request on a connection
-- (the fixed-rate mode). Prints one "BENCH_JSON {...}" line that bench/webhook.py reads.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[2]) or 1
  pause = tonumber(args[3]) or 0
  bodies, signatures = {}, {}
  local index = 0
  for line in io.lines(args[1]) do
    if index % nthreads == id then
      local tab = line:find("\t", 1, true)
      signatures[#signatures + 1] = line:sub(1, tab - 1)
      bodies[#bodies + 1] = line:sub(tab + 1)
    end
    index = index + 1
  end
  sent, reused, workers, statuses = 0, 0, {}, {}
end

function request()
  sent = sent + 1
  if sent > #bodies then
    reused = reused + 1 -- ran out of distinct requests: repeats hit the duplicate path
  end
  local k = (sent - 1) % #bodies + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = signatures[k],
  }, bodies[k])
end

function delay()
  return pause
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  local worker = headers["X-Bench-Worker"]
  if worker then
    workers[worker] = (workers[worker] or 0) + 1
  end
end

local function merge(into, from)
  for key, count in pairs(from or {}) do
    into[key] = (into[key] or 0) + count
  end
end

local function object(map)
  local parts = {}
  for key, count in pairs(map) do
    parts[#parts + 1] = string.format('"%s": %d', key, count)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local workers, statuses, reused = {}, {}, 0
  for _, thread in ipairs(threads) do
    merge(workers, thread:get("workers"))
    merge(statuses, thread:get("statuses"))
    reused = reused + (thread:get("reused") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "socket_errors": %d, "reused": %d, "statuses": %s, "workers": %s}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect + errors.read + errors.write + errors.timeout, reused,
    object(statuses), object(workers)))
end
