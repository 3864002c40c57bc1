-- Cluster-level roles for the project-local cluster. Run by infra/local/pg.sh as the superuser
-- with psql variables for the passwords; safe to repeat (passwords are re-applied).
select format('create role svdw_engineer login createdb password %L', :'warehouse_password')
where not exists (select 1 from pg_roles where rolname = 'svdw_engineer') \gexec
select format('alter role svdw_engineer password %L', :'warehouse_password') \gexec

select format('create role airflow login password %L', :'airflow_password')
where not exists (select 1 from pg_roles where rolname = 'airflow') \gexec
select format('alter role airflow password %L', :'airflow_password') \gexec

select format('create role superset login password %L', :'superset_password')
where not exists (select 1 from pg_roles where rolname = 'superset') \gexec
select format('alter role superset password %L', :'superset_password') \gexec

-- Superset's warehouse connection: reads the disclosure-controlled sna schema only
-- (grants are applied by dbt on each build).
select format('create role svdw_dashboard login password %L', :'dashboard_password')
where not exists (select 1 from pg_roles where rolname = 'svdw_dashboard') \gexec
select format('alter role svdw_dashboard password %L', :'dashboard_password') \gexec

-- The other warehouse roles (grants inside the warehouse: src/svdw/sql/access.sql for raw, audit
-- and history; dbt's on-run-end hook for marts and sna):
--   svdw_loader       writes raw, audit and history (what the ingestion DAGs need);
--   svdw_transformer  reads raw and audit, builds staging, marts and sna (what dbt needs);
--   svdw_analyst      reads marts and sna, nothing else (SQL Lab, analysts' own tools).
select format('create role svdw_loader login password %L', :'loader_password')
where not exists (select 1 from pg_roles where rolname = 'svdw_loader') \gexec
select format('alter role svdw_loader password %L', :'loader_password') \gexec

select format('create role svdw_transformer login password %L', :'transformer_password')
where not exists (select 1 from pg_roles where rolname = 'svdw_transformer') \gexec
select format('alter role svdw_transformer password %L', :'transformer_password') \gexec

select format('create role svdw_analyst login password %L', :'analyst_password')
where not exists (select 1 from pg_roles where rolname = 'svdw_analyst') \gexec
select format('alter role svdw_analyst password %L', :'analyst_password') \gexec
