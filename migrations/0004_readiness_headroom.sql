-- After a write was refused for a full disk, `GET /ready` proves there is room again by
-- committing this much more than its one small row, then shrinks the row back.
alter table readiness add column headroom blob;
