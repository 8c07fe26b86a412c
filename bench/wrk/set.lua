-- SET: a random key out of 100,000, with a one-hour TTL.
dofile("bench/wrk/common.lua")
request = function() return set_request(random_key(100000), 3600) end
