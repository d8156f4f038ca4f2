-- Shared by every service workload (bench/run.py prepends it, after the `P` parameter table).
-- Counts status codes and malformed answers per wrk thread and prints one line
-- "BENCHJSON {...}" from done() for run.py to read.
local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua environment).
statuses = {}      -- "200" -> count
bad = 0            -- 2xx answers whose body is not what the operation must answer
sample = ""        -- the first non-2xx or bad answer seen by this thread
units = 0          -- work items done (items written, messages moved); 0 = one per request
unchecked = false  -- true when the workload drops response() (status counts from wrk only)
extra = {}         -- workload-specific counters, name -> count

AUTH = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/" .. P.scope ..
       "/aws4_request, SignedHeaders=host;x-amz-date, " ..
       "Signature=0000000000000000000000000000000000000000000000000000000000000000"

function base_headers()
  return {["Authorization"] = AUTH, ["X-Amz-Date"] = "20260101T000000Z"}
end

function json_request(target, body)
  local h = base_headers()
  h["Content-Type"] = "application/x-amz-json-1.0"
  h["X-Amz-Target"] = target
  return wrk.format("POST", "/", h, body)
end

function note(status, body, ok)
  local k = tostring(status)
  statuses[k] = (statuses[k] or 0) + 1
  if status >= 200 and status < 300 and not ok then bad = bad + 1 end
  if (status < 200 or status >= 300 or not ok) and sample == "" then
    sample = k .. " " .. string.sub(body or "", 1, 400)
  end
end

function bump(name, n)
  extra[name] = (extra[name] or 0) + (n or 1)
end

local function esc(s)
  return (string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end))
end

function done(summary, latency, requests)
  local st, ex, nbad, nunits, samples = {}, {}, 0, 0, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do st[k] = (st[k] or 0) + v end
    for k, v in pairs(t:get("extra")) do ex[k] = (ex[k] or 0) + v end
    nbad = nbad + t:get("bad")
    nunits = nunits + t:get("units")
    local s = t:get("sample")
    if s ~= "" then table.insert(samples, '"' .. esc(s) .. '"') end
  end
  local function obj(t)
    local parts = {}
    for k, v in pairs(t) do table.insert(parts, string.format('"%s":%d', k, v)) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  local e = summary.errors
  if unchecked then
    -- no response() callback: wrk only counts answers with status > 399
    st = {["2xx"] = summary.requests - e.status, ["4xx/5xx"] = e.status}
  end
  io.write(string.format(
    'BENCHJSON {"duration_us":%d,"requests":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"statuses":%s,"bad":%d,"units":%d,' ..
    '"extra":%s,"samples":[%s]}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    obj(st), nbad, nunits, obj(ex), table.concat(samples, ",")))
end
