-- SQS workloads over the JSON protocol (X-Amz-Target AmazonSQS.*). P (set by bench/run.py):
--   op     SendMessage | SendMessageBatch | ReceiveDelete
--   queue  the queue URL (as CreateQueue answered it)
--
-- ReceiveDelete keeps the queue's backlog level: every connection asks ReceiveMessage for up
-- to 10 messages (VisibilityTimeout 120), the handles it gets are deleted with
-- DeleteMessageBatch, and each full delete batch is followed by one SendMessageBatch of 10 that
-- puts the same number of messages back. Per 10 messages: 1 receive, 1 delete batch, 1 send
-- batch. `units` counts messages deleted.
local n = 0
local BODY = string.rep("m", 128)
local handles = {}   -- receipt handles received by this thread, not yet deleted
local refill = 0     -- messages deleted, not yet put back

function init(args)
  math.randomseed(2000 + tid)
end

local function send_batch()
  local entries = {}
  for i = 1, 10 do
    n = n + 1
    entries[i] = string.format('{"Id":"e%d","MessageBody":"%s %d-%d"}', i, BODY, tid, n)
  end
  return json_request("AmazonSQS.SendMessageBatch",
    string.format('{"QueueUrl":"%s","Entries":[%s]}', P.queue, table.concat(entries, ",")))
end

local function count(body, pattern)
  local c = 0
  for _ in string.gmatch(body, pattern) do c = c + 1 end
  return c
end

local builders = {
  SendMessage = function()
    n = n + 1
    return json_request("AmazonSQS.SendMessage",
      string.format('{"QueueUrl":"%s","MessageBody":"%s %d-%d"}', P.queue, BODY, tid, n))
  end,
  SendMessageBatch = send_batch,
  ReceiveDelete = function()
    if #handles > 0 then
      local entries = {}
      local k = math.min(10, #handles)
      for i = 1, k do
        entries[i] = string.format('{"Id":"d%d","ReceiptHandle":"%s"}', i, table.remove(handles))
      end
      bump("delete_requests")
      return json_request("AmazonSQS.DeleteMessageBatch",
        string.format('{"QueueUrl":"%s","Entries":[%s]}', P.queue, table.concat(entries, ",")))
    end
    if refill >= 10 then
      refill = refill - 10
      bump("refill_requests")
      return send_batch()
    end
    bump("receive_requests")
    return json_request("AmazonSQS.ReceiveMessage",
      string.format('{"QueueUrl":"%s","MaxNumberOfMessages":10,"VisibilityTimeout":120}',
                    P.queue))
  end,
}

local build = builders[P.op]

function request()
  return build()
end

function response(status, headers, body)
  if status ~= 200 then
    note(status, body, false)
    return
  end
  if P.op == "SendMessage" then
    note(status, body, string.find(body, '"MessageId"', 1, true) ~= nil)
  elseif P.op == "SendMessageBatch" then
    local ok = count(body, '"MessageId"') == 10 and
               not string.find(body, '"Failed":%s*%[%s*{')
    note(status, body, ok)
    if ok then units = units + 10 end
  else
    -- one of ReceiveMessage, DeleteMessageBatch, SendMessageBatch: tell them by the body
    if string.find(body, '"ReceiptHandle"', 1, true) then
      for h in string.gmatch(body, '"ReceiptHandle":%s*"([^"]+)"') do
        table.insert(handles, h)
      end
      note(status, body, true)
    elseif string.find(body, '"MessageId"', 1, true) then
      note(status, body, count(body, '"MessageId"') == 10)
    elseif string.find(body, '"Successful"', 1, true) or
           string.find(body, '"Failed"', 1, true) then
      local failed = string.find(body, '"Failed":%s*%[%s*{') ~= nil
      local deleted = count(string.match(body, '"Successful":%s*(%b[])') or "", '"Id"')
      note(status, body, not failed)
      units = units + deleted
      refill = refill + deleted
    else
      -- an empty ReceiveMessage ({} or {"Messages":[]})
      bump("empty_receives")
      note(status, body, true)
    end
  end
end
