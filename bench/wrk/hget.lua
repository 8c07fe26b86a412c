-- HGET through the Upstash door: a random field of a random hash, all written beforehand.
dofile("bench/wrk/common.lua")
request = function()
  return redis_request('["HGET","' .. random_hash() .. '","' .. random_field() .. '"]')
end
