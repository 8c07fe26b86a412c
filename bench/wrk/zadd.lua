-- ZADD through the Upstash door: one of 1,000 members, with a random score, into a random
-- sorted set of 10,000.
dofile("bench/wrk/common.lua")
request = function()
  return redis_request('["ZADD","zset-' .. math.random(0, 9999) .. '",' .. math.random(0, 1000000) ..
    ',"member-' .. math.random(0, 999) .. '"]')
end
