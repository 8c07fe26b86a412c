-- SADD through the Upstash door: one of 1,000 members into a random set of 10,000.
dofile("bench/wrk/common.lua")
request = function()
  return redis_request('["SADD","set-' .. math.random(0, 9999) .. '","member-' .. math.random(0, 999) .. '"]')
end
