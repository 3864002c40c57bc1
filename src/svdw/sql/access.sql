-- Least-privilege access to what the loader writes, for the roles that exist in this cluster
-- (infra/sql/bootstrap_roles.sql creates them locally; another deployment may not have them).
-- Safe to run on every load. Marts and sna are granted by dbt's on-run-end hook.
do $grants$
declare
    target text;
begin
    if exists (select 1 from pg_roles where rolname = 'svdw_loader') then
        foreach target in array array['raw', 'audit', 'history'] loop
            execute format('grant usage, create on schema %I to svdw_loader', target);
            execute format('grant select, insert, update, delete on all tables in schema %I to svdw_loader', target);
            execute format('grant usage on all sequences in schema %I to svdw_loader', target);
            execute format('alter default privileges in schema %I grant select, insert, update, delete on tables to svdw_loader', target);
            execute format('alter default privileges in schema %I grant usage on sequences to svdw_loader', target);
        end loop;
    end if;
    if exists (select 1 from pg_roles where rolname = 'svdw_transformer') then
        -- history: a build still reads replaced rows until it admits the batch that replaced them.
        foreach target in array array['raw', 'audit', 'history'] loop
            execute format('grant usage on schema %I to svdw_transformer', target);
            execute format('grant select on all tables in schema %I to svdw_transformer', target);
            execute format('alter default privileges in schema %I grant select on tables to svdw_transformer', target);
        end loop;
        execute 'grant create on database ' || quote_ident(current_database()) || ' to svdw_transformer';
    end if;
end
$grants$;
