-- JSON documents (RedisJSON's type): a document lives in its key's row, as a string does, its
-- compact JSON text in `value`.
alter table keys drop constraint keys_type_check;
alter table keys add constraint keys_type_check
    check (type in ('string', 'hash', 'list', 'set', 'zset', 'json'));
alter table keys drop constraint keys_check;
alter table keys add constraint keys_value_check
    check ((type in ('string', 'json')) = (value is not null));

-- Strings and documents have no element rows to clear when a key changes type.
drop trigger keys_retype_elements on keys;
create trigger keys_retype_elements after update of type on keys
for each row when (old.type not in ('string', 'json') and new.type <> old.type)
execute function keys_retype_elements();
