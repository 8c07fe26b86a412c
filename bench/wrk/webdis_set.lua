-- SET through webdis to Redis: the same keys, TTL and value as set.lua, as SETEX.
dofile("bench/wrk/common.lua")
request = function() return webdis_set_request(random_key(100000), 3600) end
