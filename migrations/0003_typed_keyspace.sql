-- The keyspace for every Redis type, at the disk's pace.
--
-- Every B-tree a write touches costs WAL pages, and pages are what a commit writes. The first
-- layout (a rowid `keys` table, its unique key index and a `strings` table) touched three
-- B-trees to create a string and two to update one. Here a string lives in one row of one
-- B-tree keyed by the key itself, its value inline: a SET that keeps or never had a TTL
-- writes one B-tree. Collections keep their elements in a table per type, keyed by the
-- key's `id`, so a RENAME moves one row however large the collection.
create table keys_next (
    -- Redis keys are byte strings; the native API stores UTF-8 here.
    key blob primary key,
    -- Given once, when the key is created, above every id in use: SCAN walks keys in id
    -- order, so a key that lives throughout a walk is returned exactly once. Collections'
    -- elements refer to their key by it.
    id integer not null,
    type text not null check (type in ('string', 'hash', 'list', 'set', 'zset')),
    -- Absolute expiry in unix milliseconds; null means the key never expires.
    expires_at integer,
    -- A string's value (the native API's compact JSON text, or raw bytes); null for the
    -- collection types, whose elements live in their own tables.
    value blob,
    check ((type = 'string') = (value is not null))
) strict, without rowid;

-- The rows of the first layout move over with their ids, so cursors and data survive.
insert into keys_next (key, id, type, expires_at, value)
select keys.key, keys.id, keys.type, keys.expires_at, strings.value
from keys join strings on strings.key_id = keys.id;

drop table strings;
drop table keys;
alter table keys_next rename to keys;

-- SCAN seeks by id, and the writer starts numbering new keys after the largest.
create unique index keys_id on keys (id);

-- Only keys with a TTL are ever swept, so index just those: the index stays small however
-- many keys never expire, and the sweep reads it in expiry order. A write whose key has no
-- TTL before or after does not touch it.
create index keys_expires_at on keys (expires_at) where expires_at is not null;

-- Hash fields. A field may expire on its own (HEXPIRE), lazily and in the sweep, as keys do.
create table hash_fields (
    key_id integer not null,
    field blob not null,
    value blob not null,
    expires_at integer,
    primary key (key_id, field)
) strict, without rowid;

create index hash_fields_expires_at on hash_fields (expires_at) where expires_at is not null;

-- List elements at consecutive positions: LPUSH takes the head's position - 1, RPUSH the
-- tail's + 1, and pops remove an end, each O(log n) however long the list. The length is
-- tail - head + 1 and element i sits at head + i, so LLEN, LINDEX and the start of LRANGE
-- are O(log n) too. An insert or removal inside the list renumbers one side, O(n) as in Redis.
create table list_items (
    key_id integer not null,
    position integer not null,
    value blob not null,
    primary key (key_id, position)
) strict, without rowid;

create table set_members (
    key_id integer not null,
    member blob not null,
    primary key (key_id, member)
) strict, without rowid;

-- Sorted-set members, found by member (ZSCORE, ZADD) through the primary key and by score
-- (ZRANGE BYSCORE, ZPOPMIN) through the score index, where ties order by member as in
-- Redis. A NaN score cannot be stored: SQLite reads it as null.
create table zset_members (
    key_id integer not null,
    member blob not null,
    score real not null,
    primary key (key_id, member)
) strict, without rowid;

create index zset_members_by_score on zset_members (key_id, score, member);

-- A collection's elements go with its key, whoever deletes it (DEL, an expiry, the sweep,
-- litekv-cleanup), and when the key is overwritten by another type (SET over a hash). A
-- string has none, so deleting or overwriting one costs nothing here.
create trigger keys_delete_elements after delete on keys
when old.type <> 'string'
begin
    delete from hash_fields where key_id = old.id;
    delete from list_items where key_id = old.id;
    delete from set_members where key_id = old.id;
    delete from zset_members where key_id = old.id;
end;

create trigger keys_retype_elements after update of type on keys
when old.type <> 'string' and new.type <> old.type
begin
    delete from hash_fields where key_id = old.id;
    delete from list_items where key_id = old.id;
    delete from set_members where key_id = old.id;
    delete from zset_members where key_id = old.id;
end;
