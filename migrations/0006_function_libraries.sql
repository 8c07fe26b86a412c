-- Redis Functions' libraries (FUNCTION LOAD), by name, with their code: kept with the data,
-- so that they survive a restart, as in Redis. The code's first line names the library; the
-- functions it registers are found again by running it.
create table function_libraries (
    name text primary key,
    code blob not null
) strict, without rowid;
