-- JSON documents (RedisJSON's type): a document lives in its key's row, as a string does, its
-- compact JSON text in `value`. SQLite cannot change a table's checks in place, so the keys
-- table is rebuilt with the new type allowed (once, O(keys)); rows keep their ids, so cursors
-- and elements survive.
create table keys_next (
    -- Redis keys are byte strings; the native API stores UTF-8 here.
    key blob primary key,
    -- Given once, when the key is created, above every id in use: SCAN walks keys in id
    -- order, so a key that lives throughout a walk is returned exactly once. Collections'
    -- elements refer to their key by it.
    id integer not null,
    type text not null check (type in ('string', 'hash', 'list', 'set', 'zset', 'json')),
    -- Absolute expiry in unix milliseconds; null means the key never expires.
    expires_at integer,
    -- A string's value (the native API's compact JSON text, or raw bytes) or a document's
    -- compact JSON text; null for the collection types, whose elements live in their own
    -- tables.
    value blob,
    check ((type in ('string', 'json')) = (value is not null))
) strict, without rowid;

insert into keys_next (key, id, type, expires_at, value)
select key, id, type, expires_at, value from keys;

drop table keys;
alter table keys_next rename to keys;

create unique index keys_id on keys (id);
create index keys_expires_at on keys (expires_at) where expires_at is not null;

-- A collection's elements go with its key, whoever deletes it, and when the key is
-- overwritten by another type. Strings and documents have none, so deleting or overwriting
-- one costs nothing here.
create trigger keys_delete_elements after delete on keys
when old.type not in ('string', 'json')
begin
    delete from hash_fields where key_id = old.id;
    delete from list_items where key_id = old.id;
    delete from set_members where key_id = old.id;
    delete from zset_members where key_id = old.id;
end;

create trigger keys_retype_elements after update of type on keys
when old.type not in ('string', 'json') and new.type <> old.type
begin
    delete from hash_fields where key_id = old.id;
    delete from list_items where key_id = old.id;
    delete from set_members where key_id = old.id;
    delete from zset_members where key_id = old.id;
end;
