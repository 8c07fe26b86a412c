-- litekv's schema on PostgreSQL: the same model as SQLite's (docs/storage.md), in
-- PostgreSQL's own types. Keys and elements are bytea, which compares bytewise, as Redis
-- compares keys and members.

-- Key ids, shared by every server on the database.
create sequence key_ids;

create table keys (
    key bytea primary key,
    -- Given once, when the key is created, from `key_ids`: SCAN walks keys in id order.
    -- Elements refer to their key by it.
    id bigint not null unique,
    type text not null check (type in ('string', 'hash', 'list', 'set', 'zset')),
    -- Absolute expiry in unix milliseconds; null means the key never expires.
    expires_at bigint,
    -- A string's value; null for the collection types, whose elements have tables of their own.
    value bytea,
    -- Bumped by every batch that writes the key, on any server: WATCH compares it.
    version bigint not null default 0,
    check ((type = 'string') = (value is not null))
);

create index keys_expires_at on keys (expires_at) where expires_at is not null;

-- Each element table's rows go with their key: deleting the key's row deletes them.
create table hash_fields (
    key_id bigint not null references keys (id) on delete cascade,
    field bytea not null,
    value bytea not null,
    expires_at bigint,
    -- The scan position (HSCAN, random draws), given when the field is added.
    seq bigint not null,
    primary key (key_id, field)
);
create index hash_fields_expires_at on hash_fields (expires_at) where expires_at is not null;
create unique index hash_fields_by_seq on hash_fields (key_id, seq);

create table list_items (
    key_id bigint not null references keys (id) on delete cascade,
    position bigint not null,
    value bytea not null,
    primary key (key_id, position)
);

create table set_members (
    key_id bigint not null references keys (id) on delete cascade,
    member bytea not null,
    seq bigint not null,
    primary key (key_id, member)
);
create unique index set_members_by_seq on set_members (key_id, seq);

create table zset_members (
    key_id bigint not null references keys (id) on delete cascade,
    member bytea not null,
    -- NaN never reaches the table: the commands refuse it, as Redis does.
    score double precision not null,
    seq bigint not null,
    primary key (key_id, member)
);
create index zset_members_by_score on zset_members (key_id, score, member);
create unique index zset_members_by_seq on zset_members (key_id, seq);

-- A key that changes type (a SET over a hash) keeps its id and row: its old elements go.
create function keys_retype_elements() returns trigger language plpgsql as $$
begin
    delete from hash_fields where key_id = old.id;
    delete from list_items where key_id = old.id;
    delete from set_members where key_id = old.id;
    delete from zset_members where key_id = old.id;
    return new;
end;
$$;

create trigger keys_retype_elements after update of type on keys
for each row when (old.type <> 'string' and new.type <> old.type)
execute function keys_retype_elements();

-- The readiness probe's one row: a real write, with headroom bytes the commit must find room for.
create table readiness (
    id integer primary key check (id = 1),
    checked_at bigint not null,
    headroom bytea
);

-- Redis Functions' libraries (FUNCTION LOAD), by name, with their code.
create table function_libraries (
    name text primary key,
    code bytea not null
);

-- The advisory lock of a key: a server's batch holds the locks of the keys it touches until
-- it commits, so that servers sharing the database change a key one at a time. Computed here
-- so that every server, and the expiry sweep's SQL, agree.
create function litekv_key_lock(key bytea) returns bigint
language sql immutable strict parallel safe
as $$ select hashtextextended(encode(key, 'hex'), 0) $$;

-- Messages between servers too long for NOTIFY's 8,000 bytes: the notification carries the
-- row's id, and the rows go once every server had time to read them.
create table bus_outbox (
    id bigint generated always as identity primary key,
    sent_at timestamptz not null default now(),
    message text not null
);
create index bus_outbox_sent_at on bus_outbox (sent_at);

-- Scripts loaded with SCRIPT LOAD (or first run with EVAL) on any server, by SHA1, so that
-- EVALSHA finds them on every server sharing the database.
create table scripts (
    sha1 text primary key,
    body bytea not null
);
