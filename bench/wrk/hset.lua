-- HSET through the Upstash door: a random field of 10 in a random hash of 10,000, with a
-- value of about 100 bytes.
dofile("bench/wrk/common.lua")
request = function()
  return redis_request('["HSET","' .. random_hash() .. '","' .. random_field() .. '","' .. plain_value .. '"]')
end
