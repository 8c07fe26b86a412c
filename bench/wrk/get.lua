-- GET_HIT: a random key out of BENCH_KEYS pre-populated ones.
dofile("bench/wrk/common.lua")
local keys = tonumber(os.getenv("BENCH_KEYS"))
request = function() return get_request(random_key(keys)) end
