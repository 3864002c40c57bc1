-- Cluster-level roles for the project-local cluster. Run by infra/local/pg.sh as the superuser;
-- the passwords come from the environment (psql's \getenv), never from psql's command line,
-- where `ps` would show them. Safe to repeat (passwords are re-applied).
--   svdw_engineer     owns the warehouse database (WAREHOUSE_URL; may create test databases);
--   airflow, superset own their metadata databases;
--   svdw_dashboard    Superset's warehouse connection: reads the sna schema only;
--   svdw_analyst      reads sna and the marts without person-level data (SQL Lab, analysts' tools);
--   svdw_analyst_linked  also reads the person-level linked marts: an explicit, separate grant;
--   svdw_loader       writes raw, audit and history (what the ingestion DAGs need);
--   svdw_transformer  reads raw and audit, builds staging, marts and sna (what dbt needs).
-- Grants inside the warehouse: src/svdw/sql/access.sql (raw, audit, history) and dbt's
-- on-run-end hook (marts, sna).
\getenv warehouse_password WAREHOUSE_PASSWORD
\getenv airflow_password AIRFLOW_DB_PASSWORD
\getenv superset_password SUPERSET_DB_PASSWORD
\getenv dashboard_password DASHBOARD_PASSWORD
\getenv analyst_password ANALYST_PASSWORD
\getenv analyst_linked_password ANALYST_LINKED_PASSWORD
\getenv loader_password LOADER_PASSWORD
\getenv transformer_password TRANSFORMER_PASSWORD
create temporary table wanted_role (name text primary key, password text not null, extra text);
insert into wanted_role values
    ('svdw_engineer', :'warehouse_password', 'createdb'),
    ('airflow', :'airflow_password', ''),
    ('superset', :'superset_password', ''),
    ('svdw_dashboard', :'dashboard_password', ''),
    ('svdw_analyst', :'analyst_password', ''),
    ('svdw_analyst_linked', :'analyst_linked_password', ''),
    ('svdw_loader', :'loader_password', ''),
    ('svdw_transformer', :'transformer_password', '');

select format('create role %I login %s password %L', name, extra, password)
from wanted_role where not exists (select 1 from pg_roles where rolname = name) \gexec
select format('alter role %I password %L', name, password) from wanted_role \gexec

-- The owner administers what the transformer builds: it reads staging, marts and sna (svdw status,
-- the data dictionary), and `svdw setup` hands dbt's objects an earlier owner-run build made to
-- the transformer. Membership goes one way only: no service role acts as the owner.
grant svdw_transformer to svdw_engineer;
