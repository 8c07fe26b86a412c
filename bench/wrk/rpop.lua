-- RPOP through the Upstash door: from a random list of the 10,000 bench/run filled beforehand.
dofile("bench/wrk/common.lua")
request = function()
  return redis_request('["RPOP","' .. random_list() .. '"]')
end
