-- MIXED: 90% GET_HIT over BENCH_KEYS keys, 10% SET over 100,000 keys.
dofile("bench/wrk/common.lua")
local keys = tonumber(os.getenv("BENCH_KEYS"))
request = function()
  if math.random() < 0.9 then return get_request(random_key(keys)) end
  return set_request(random_key(100000), 3600)
end
