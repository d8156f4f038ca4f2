-- DynamoDB workloads over the JSON 1.0 protocol. P (set by bench/run.py):
--   op        PutItem | GetItem | Query | UpdateItem | BatchWriteItem
--   kv        hash-key table (pk S), prefilled with keys p0..p<kv_items-1>
--   q         hash+range table (pk S, sk S), prefilled with partitions q0..q<partitions-1>,
--             100 items of 1 KB each
--   tag       distinguishes the key space of one run from another
local n = 0
local VALUE = string.rep("x", 1000)  -- 1 KB items

function init(args)
  math.randomseed(1000 + tid)
end

local function item(key)
  return string.format('{"pk":{"S":"%s"},"v":{"S":"%s"},"n":{"N":"%d"},"c":{"N":"0"}}',
                       key, VALUE, n)
end

local function fresh_key()
  n = n + 1
  return string.format("w%s-%d-%d", P.tag, tid, n)
end

local builders = {
  PutItem = function()
    return json_request("DynamoDB_20120810.PutItem",
      string.format('{"TableName":"%s","Item":%s}', P.kv, item(fresh_key())))
  end,
  GetItem = function()
    return json_request("DynamoDB_20120810.GetItem",
      string.format('{"TableName":"%s","Key":{"pk":{"S":"p%d"}}}', P.kv,
                    math.random(0, P.kv_items - 1)))
  end,
  Query = function()
    return json_request("DynamoDB_20120810.Query",
      string.format('{"TableName":"%s","KeyConditionExpression":"pk = :p",' ..
                    '"ExpressionAttributeValues":{":p":{"S":"q%d"}}}', P.q,
                    math.random(0, P.partitions - 1)))
  end,
  UpdateItem = function()
    return json_request("DynamoDB_20120810.UpdateItem",
      string.format('{"TableName":"%s","Key":{"pk":{"S":"p%d"}},' ..
                    '"UpdateExpression":"SET #v = :v, #t = :t ADD #c :one",' ..
                    '"ConditionExpression":"attribute_exists(pk)",' ..
                    '"ExpressionAttributeNames":{"#v":"v","#t":"touched","#c":"c"},' ..
                    '"ExpressionAttributeValues":{":v":{"S":"%s"},":t":{"N":"%d"},' ..
                    '":one":{"N":"1"}}}', P.kv, math.random(0, P.kv_items - 1), VALUE, n))
  end,
  BatchWriteItem = function()
    local puts = {}
    for i = 1, 25 do
      puts[i] = '{"PutRequest":{"Item":' .. item(fresh_key()) .. '}}'
    end
    return json_request("DynamoDB_20120810.BatchWriteItem",
      string.format('{"RequestItems":{"%s":[%s]}}', P.kv, table.concat(puts, ",")))
  end,
}

-- A 200 write answers a JSON object (moto adds ConsumedCapacity unasked).
local function object(body)
  return string.sub(body, 1, 1) == "{" and not string.find(body, '"__type"', 1, true)
end

local checks = {
  PutItem = object,
  GetItem = function(body) return string.find(body, '"Item"', 1, true) ~= nil end,
  Query = function(body) return string.find(body, '"Count":%s*100[,}]') ~= nil end,
  UpdateItem = object,
  BatchWriteItem = function(body)
    return string.find(body, '"UnprocessedItems":%s*{}') ~= nil
  end,
}

local build = builders[P.op]
local check = checks[P.op]

function request()
  return build()
end

function response(status, headers, body)
  local ok = status == 200 and check(body)
  note(status, body, ok)
  if ok and P.op == "BatchWriteItem" then units = units + 25 end
end
