-- One row per live key, whatever its type, so that existence, type and expiry are one
-- indexed lookup and later types (hash, list, set, zset) add only a value table each.
create table keys (
    id integer primary key,
    -- Redis keys are byte strings; the native API stores UTF-8 here.
    key blob not null unique,
    type text not null check (type in ('string')),
    -- Absolute expiry in unix milliseconds; null means the key never expires.
    -- Absolute times survive restarts unchanged, as Redis's do.
    expires_at integer,
    created_at integer not null,
    updated_at integer not null
) strict;

-- Only keys with a TTL are ever swept, so index just those: the index stays small
-- however many keys never expire, and the sweep reads it in expiry order.
create index keys_expires_at on keys (expires_at) where expires_at is not null;

-- String values. A native-API value is its compact JSON text; a Redis SET stores raw bytes.
create table strings (
    key_id integer primary key references keys (id) on delete cascade,
    value blob not null
) strict;
