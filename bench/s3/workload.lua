-- S3 workloads, path-style (http://host:port/bucket/key). P (set by bench/run.py):
--   op       PutObject | GetObject | ListObjectsV2
--   bucket   bucket for Put/Get; prefilled with get/<size>/0..15 for GetObject (0..3 for
--            objects over 8 MiB: bench/run.py S3.get_objects)
--   size     object size in bytes (Put/Get)
--   list     bucket prefilled with 10,000 keys (ListObjectsV2: first page, 1000 keys)
--   tag      distinguishes the key space of one run from another
local reqs = {}
local n = 0

local function headers()
  local h = base_headers()
  h["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
  return h
end

function init(args)
  math.randomseed(3000 + tid)
  if P.op == "PutObject" then
    -- 32 prepared requests per thread (64 keys in all), each PUT overwrites one of them:
    -- building a 1 MiB request string per request would make wrk the bottleneck. Objects over
    -- 8 MiB: 2 per thread (a 64 MiB request string each).
    local body = string.rep("b", P.size)
    local h = headers()
    h["Content-Type"] = "application/octet-stream"
    for i = 1, (P.size > 8388608 and 2 or 32) do
      reqs[i] = wrk.format("PUT", string.format("/%s/put/%s/%d/%d", P.bucket, P.tag, tid, i),
                           h, body)
    end
  elseif P.op == "GetObject" then
    for i = 1, (P.size > 8388608 and 4 or 16) do
      reqs[i] = wrk.format("GET", string.format("/%s/get/%d/%d", P.bucket, P.size, i - 1),
                           headers())
    end
  else
    reqs[1] = wrk.format("GET", "/" .. P.list .. "?list-type=2", headers())
  end
end

function request()
  n = n + 1
  return reqs[(n % #reqs) + 1]
end

function response(status, headers, body)
  local ok
  if P.op == "PutObject" then
    ok = false
    for k, _ in pairs(headers) do
      if string.lower(k) == "etag" then ok = true end
    end
  elseif P.op == "GetObject" then
    ok = #body == P.size
  else
    ok = string.find(body, "<KeyCount>1000</KeyCount>", 1, true) ~= nil and
         string.find(body, "<IsTruncated>true</IsTruncated>", 1, true) ~= nil
  end
  note(status, body, status == 200 and ok)
end

-- Handing a 1 MiB body to Lua halves wrk's own throughput: large GETs are checked by status
-- only (the prelude then counts wrk's non-2xx total). The objects were verified at set-up.
if P.op == "GetObject" and P.size > 65536 then
  response = nil
  unchecked = true
end
