-- Shared by every workload: per-thread random seeds, the request bodies, and one
-- machine-readable result line that bench/run parses.

local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
end

-- About 100 bytes of JSON, as in the issue's workloads.
local value = '{"user":"ada","plan":"pro","seats":42,"tags":["a","b"],"active":true,"note":"benchmark value 0123"}'
local headers = { ["Content-Type"] = "application/json" }

function get_request(key)
  return wrk.format("GET", "/" .. key .. "/")
end

function set_request(key, ttl)
  local body = '{"value":' .. value .. (ttl and (',"ttl":' .. ttl) or '') .. '}'
  return wrk.format("POST", "/" .. key .. "/", headers, body)
end

-- webdis appends a PUT body to the command as its last argument: SETEX key ttl value.
function webdis_set_request(key, ttl)
  return wrk.format("PUT", "/SETEX/" .. key .. "/" .. ttl, nil, value)
end

-- The hash workloads' value: about 100 bytes, with nothing to escape inside a JSON string.
plain_value = string.rep("benchmark-value-", 6) .. "0123"

-- A Redis command (a JSON array) through the Upstash door.
function redis_request(command)
  return wrk.format("POST", "/", headers, command)
end

-- One of the 10,000 hashes bench/run writes for HGET, and one of their 10 fields.
function random_hash()
  return "hash-" .. math.random(0, 9999)
end

-- One of the 10,000 lists LPUSH and RPOP use.
function random_list()
  return "list-" .. math.random(0, 9999)
end

function random_field()
  return "f" .. math.random(0, 9)
end

function random_key(count)
  return "bench-" .. math.random(0, count - 1)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
