-- A scan position for the elements HSCAN, SSCAN and ZSCAN walk: each new field or member
-- takes one more than the highest of its collection, and keeps it while it lives (an update
-- does not move it). A cursor is the last position returned, so a walk never skips or repeats
-- an element that stays in the collection, however many come and go meanwhile, and HRANDFIELD
-- and its kin can pick a position at random. The tables are rebuilt, as SQLite cannot add a
-- NOT NULL column; existing elements are numbered in their old order. The triggers that name
-- these tables go first and come back, unchanged, at the end (SQLite's rebuild procedure).

drop trigger keys_delete_elements;
drop trigger keys_retype_elements;

create table hash_fields_new (
    key_id integer not null,
    field blob not null,
    value blob not null,
    expires_at integer,
    seq integer not null,
    primary key (key_id, field)
) strict, without rowid;
insert into hash_fields_new
    select key_id, field, value, expires_at, row_number() over (partition by key_id order by field)
    from hash_fields;
drop table hash_fields;
alter table hash_fields_new rename to hash_fields;
create index hash_fields_expires_at on hash_fields (expires_at) where expires_at is not null;
create unique index hash_fields_by_seq on hash_fields (key_id, seq);

create table set_members_new (
    key_id integer not null,
    member blob not null,
    seq integer not null,
    primary key (key_id, member)
) strict, without rowid;
insert into set_members_new
    select key_id, member, row_number() over (partition by key_id order by member) from set_members;
drop table set_members;
alter table set_members_new rename to set_members;
create unique index set_members_by_seq on set_members (key_id, seq);

create table zset_members_new (
    key_id integer not null,
    member blob not null,
    score real not null,
    seq integer not null,
    primary key (key_id, member)
) strict, without rowid;
insert into zset_members_new
    select key_id, member, score, row_number() over (partition by key_id order by member) from zset_members;
drop table zset_members;
alter table zset_members_new rename to zset_members;
create index zset_members_by_score on zset_members (key_id, score, member);
create unique index zset_members_by_seq on zset_members (key_id, seq);

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
