-- One row that `GET /ready` rewrites, proving the database still accepts a write: the
-- disk has room, the file is writable, and the write lock can be taken.
create table readiness (
    id integer primary key check (id = 1),
    checked_at integer not null
) strict;
