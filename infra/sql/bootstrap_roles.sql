-- Cluster-level roles for the project-local cluster. Run by infra/local/pg.sh as the superuser
-- with psql variables for the passwords; safe to repeat (passwords are re-applied).
--   svdw_engineer     owns the warehouse database (WAREHOUSE_URL; may create test databases);
--   airflow, superset own their metadata databases;
--   svdw_dashboard    Superset's warehouse connection: reads the sna schema only;
--   svdw_analyst      reads marts and sna, nothing else (SQL Lab, analysts' own tools);
--   svdw_loader       writes raw, audit and history (what the ingestion DAGs need);
--   svdw_transformer  reads raw and audit, builds staging, marts and sna (what dbt needs).
-- Grants inside the warehouse: src/svdw/sql/access.sql (raw, audit, history) and dbt's
-- on-run-end hook (marts, sna).
create temporary table wanted_role (name text primary key, password text not null, extra text);
insert into wanted_role values
    ('svdw_engineer', :'warehouse_password', 'createdb'),
    ('airflow', :'airflow_password', ''),
    ('superset', :'superset_password', ''),
    ('svdw_dashboard', :'dashboard_password', ''),
    ('svdw_analyst', :'analyst_password', ''),
    ('svdw_loader', :'loader_password', ''),
    ('svdw_transformer', :'transformer_password', '');

select format('create role %I login %s password %L', name, extra, password)
from wanted_role where not exists (select 1 from pg_roles where rolname = name) \gexec
select format('alter role %I password %L', name, password) from wanted_role \gexec
