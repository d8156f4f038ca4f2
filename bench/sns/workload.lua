-- SNS Publish over the query protocol (form-encoded POST, Action=Publish). P (set by
-- bench/run.py):
--   op     Publish
--   topic  the topic ARN
-- Each message is a 128-byte body plus the thread and a counter. The answer must be 200 and
-- carry a <MessageId>.
local n = 0
local BODY = string.rep("m", 128)

local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local TOPIC = urlencode(P.topic)

function request()
  n = n + 1
  local h = base_headers()
  h["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
  return wrk.format("POST", "/", h, string.format(
    "Action=Publish&Version=2010-03-31&TopicArn=%s&Message=%s+%d-%d", TOPIC, BODY, tid, n))
end

function response(status, headers, body)
  note(status, body, status == 200 and string.find(body, "<MessageId>", 1, true) ~= nil)
end
