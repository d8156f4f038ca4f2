-- API Gateway invocations and the direct Lambda Invoke they are compared with. P (set by
-- bench/apigateway/run.py):
--   op       Invoke | Get
--   fn       function name (Invoke)
--   payload  the Invoke body (Invoke; the event the gateway hands the function, so both paths
--            move the same bytes into the function)
--   path     request path (Get), host  Host header (Get, optional)
--   want     a string the 200 answer's body must contain
local n = 0

function request()
  n = n + 1
  if P.op == "Invoke" then
    local h = base_headers()
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/2015-03-31/functions/" .. P.fn .. "/invocations", h, P.payload)
  end
  local h = {}
  if P.host and P.host ~= "" then h["Host"] = P.host end
  return wrk.format("GET", P.path .. "?n=" .. n, h)
end

function response(status, headers, body)
  note(status, body, status == 200 and string.find(body, P.want, 1, true) ~= nil)
end
