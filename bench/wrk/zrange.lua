-- ZRANGE through the Upstash door: the first 10 by score of a random sorted set of the 100
-- that bench/run filled with 1,000 members each.
dofile("bench/wrk/common.lua")
request = function()
  return redis_request('["ZRANGE","ranked-' .. math.random(0, 99) .. '","-inf","+inf","BYSCORE","LIMIT",0,10]')
end
