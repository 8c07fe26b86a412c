-- LPUSH through the Upstash door: a value of about 100 bytes onto a random list of 10,000, or,
-- with BENCH_LIST set, always onto that one list.
dofile("bench/wrk/common.lua")
local list = os.getenv("BENCH_LIST")
request = function()
  return redis_request('["LPUSH","' .. (list or random_list()) .. '","' .. plain_value .. '"]')
end
