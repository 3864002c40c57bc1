-- Least-privilege access to what the loader writes, for the roles that exist in this cluster
-- (infra/sql/bootstrap_roles.sql creates them locally; another deployment may not have them).
-- Run by the warehouse owner at setup (`svdw setup`, or the first load the owner runs), never by
-- the service roles: they cannot create schemas or tables. Marts and sna are granted by dbt's
-- on-run-end hook (dbt/macros/grants.sql).
do $grants$
declare
    target text;
    rel record;
begin
    if exists (select 1 from pg_roles where rolname = 'svdw_loader') then
        foreach target in array array['raw', 'audit', 'history'] loop
            -- Rows only: the owner creates the tables (schema DDL runs once, at setup).
            execute format('grant usage on schema %I to svdw_loader', target);
            execute format('revoke create on schema %I from svdw_loader', target);
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
        -- What a build records (svdw.snapshot, svdw.quality, svdw.freshness): its own rows in
        -- audit, and each gated batch's quality status. Never a raw or history row.
        execute 'grant insert, update on audit.build, audit.contract, audit.incremental_build to svdw_transformer';
        execute 'grant insert on audit.build_batch, audit.expectation_result, audit.batch_status_event to svdw_transformer';
        execute 'grant update (quality_status) on audit.load_batch to svdw_transformer';
        execute 'grant execute on function audit.refresh_build_statistics() to svdw_transformer';
        execute 'grant usage on all sequences in schema audit to svdw_transformer';
        -- dbt creates (and so owns) staging, marts and sna (and sna_next, the sna a build makes:
        -- svdw.sna_publish); its intermediate models go in public.
        execute 'grant create on database ' || quote_ident(current_database()) || ' to svdw_transformer';
        if exists (select 1 from pg_namespace where nspname = 'public') then
            execute 'grant usage, create on schema public to svdw_transformer';
        end if;
        -- What an owner-run build made before dbt ran as the transformer goes to the transformer,
        -- which rebuilds it from now on (the owner is a member of svdw_transformer, locally by
        -- infra/sql/bootstrap_roles.sql; elsewhere the handover is skipped).
        if current_user <> 'svdw_transformer' and pg_has_role(current_user, 'svdw_transformer', 'MEMBER') then
            -- the schema first: a new owner of a table needs CREATE on its schema
            for rel in
                select nspname from pg_namespace
                where nspname in ('staging', 'marts', 'sna', 'sna_next') and nspowner = (select oid from pg_roles where rolname = current_user)
            loop
                execute format('alter schema %I owner to svdw_transformer', rel.nspname);
            end loop;
            for rel in
                select n.nspname, c.relname,
                       case c.relkind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end as kind
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname in ('staging', 'marts', 'sna', 'sna_next', 'public') and c.relkind in ('r', 'v', 'm', 'p')
                    and c.relowner = (select oid from pg_roles where rolname = current_user)
            loop
                execute format('alter %s %I.%I owner to svdw_transformer', rel.kind, rel.nspname, rel.relname);
            end loop;
        end if;
    end if;
end
$grants$;
