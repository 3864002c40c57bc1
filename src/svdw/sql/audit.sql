-- Load accounting: one row per file a loader saw, and every row it could not load.
-- Safe to run on every load (IF NOT EXISTS throughout).
create schema if not exists audit;
create schema if not exists raw;
create schema if not exists history;

create table if not exists audit.load_batch (
    batch_id          bigserial primary key,
    contract          text        not null,
    target_table      text        not null,
    file_name         text        not null,
    file_path         text,
    sha256            text        not null,
    file_bytes        bigint,
    status            text        not null check (status in ('loaded', 'rejected')),
    rows_read         integer     not null default 0,
    rows_loaded       integer     not null default 0,
    rows_quarantined  integer     not null default 0,
    rows_superseded   integer     not null default 0,
    periods           text[],
    error             text,
    loaded_by         text,
    started_at        timestamptz not null default now(),
    finished_at       timestamptz,
    check (status <> 'loaded' or rows_read = rows_loaded + rows_quarantined)
);
create index if not exists load_batch_contract_sha256 on audit.load_batch (contract, sha256);

create table if not exists audit.quarantine (
    batch_id        bigint  not null references audit.load_batch (batch_id),
    line_number     integer not null,
    raw_text        text    not null,
    reason          text    not null,
    quarantined_at  timestamptz not null default now(),
    primary key (batch_id, line_number)
);

-- The contracts the warehouse knows, with the delivery cadence that makes an extract overdue;
-- refreshed from the contract files before every load and build (svdw.freshness).
create table if not exists audit.contract (
    contract         text primary key,
    title            text        not null,
    partner          text        not null,
    cadence          text        not null,
    target_table     text        not null,
    overdue_after    interval    not null,
    registered_at    timestamptz not null default now()
);
-- An optional feed (contract `optional: true`) that was never delivered is not overdue.
alter table audit.contract add column if not exists optional boolean not null default false;

-- Every Great Expectations result on raw tables and marts (svdw.quality), success included.
create table if not exists audit.expectation_result (
    run_at            timestamptz not null default now(),
    target_table      text        not null,
    batch_id          bigint,
    expectation       text        not null,
    column_name       text,
    severity          text        not null,
    success           boolean     not null,
    unexpected_count  bigint,
    observed_value    text
);
create index if not exists expectation_result_table on audit.expectation_result (target_table, run_at);

-- ---------------------------------------------------------------------------------------------
-- Builds on a snapshot, and quality verdicts that stick (svdw.snapshot). Kept as separate
-- statements from the tables above so other changes to those stay independent.
-- ---------------------------------------------------------------------------------------------

-- A loaded batch's quality status: pending (loaded, not gated yet) -> passed | failed (the
-- Great Expectations gate of a build) -> accepted | rejected (a person, with a reason). Builds
-- read only passed and accepted batches. A file the loader rejected is `rejected` at once.
alter table audit.load_batch add column if not exists quality_status text not null
    default 'pending' check (quality_status in ('pending', 'passed', 'failed', 'accepted', 'rejected'));
update audit.load_batch set quality_status = 'rejected'
    where status = 'rejected' and quality_status <> 'rejected';
create index if not exists load_batch_quality_status on audit.load_batch (quality_status);

-- One row per warehouse build: what started it, how it ended. At most one is `running`.
create table if not exists audit.build (
    build_id          bigserial primary key,
    trigger           text        not null,
    status            text        not null default 'running'
                      check (status in ('running', 'succeeded', 'failed', 'skipped', 'abandoned')),
    started_at        timestamptz not null default now(),
    pinned_at         timestamptz,
    finished_at       timestamptz,
    batches_admitted  integer,
    error             text
);

-- What the build selected: 'whole' (every model and test), 'partial' (a --select/--exclude), or
-- 'refresh' (a full refresh or a rebuild: every row rebuilt and tested). An incremental build's
-- data tests read only the batches new since the last succeeded whole or refresh build
-- (dbt/macros/test_scope.sql).
alter table audit.build add column if not exists selection text not null default 'whole'
    check (selection in ('whole', 'partial', 'refresh'));

-- The load batches a build reads (its pinned snapshot): explicit ids, not a watermark, because
-- batch ids are handed out when a load starts and loads commit in any order.
create table if not exists audit.build_batch (
    build_id  bigint not null references audit.build (build_id),
    batch_id  bigint not null references audit.load_batch (batch_id),
    primary key (build_id, batch_id)
);

-- The planner's statistics of what a build reads, refreshed when it is pinned
-- (svdw.snapshot._pin): taken before the build, they counted its new build_id in
-- audit.build_batch as one row, so `_batch_id in (this build's batches)` in the staging views and
-- the scoped data tests became a nested loop scanning a raw table once per batch (a national
-- month, ~300 batches: minutes for one test); and raw and history tables just loaded (a month
-- doubles a table) were planned at their old size. Autovacuum analyzes them later, but a build
-- starts right after its loads. ANALYZE needs the table's owner, so the build's service role
-- calls this function; it analyzes only tables changed since their last ANALYZE.
create or replace function audit.refresh_build_statistics() returns void
    language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
    stale record;
begin
    analyze audit.build_batch;
    for stale in
        select schemaname, relname from pg_stat_user_tables
        where schemaname in ('raw', 'history') and n_mod_since_analyze > 0
        order by 1, 2
    loop
        execute format('analyze %I.%I', stale.schemaname, stale.relname);
    end loop;
end $$;
revoke all on function audit.refresh_build_statistics() from public;

-- Every change of a batch's quality status, with who decided, why, and in which build.
create table if not exists audit.batch_status_event (
    event_id    bigserial   primary key,
    batch_id    bigint      not null references audit.load_batch (batch_id),
    status      text        not null
                check (status in ('pending', 'passed', 'failed', 'accepted', 'rejected')),
    reason      text,
    decided_by  text        not null,
    decided_at  timestamptz not null default now(),
    build_id    bigint      references audit.build (build_id)
);
create index if not exists batch_status_event_batch on audit.batch_status_event (batch_id, decided_at);

-- Rows whose postcode is not in the ONS lookup: loaded, but with no LSOA (svdw.pseudonymise).
alter table audit.load_batch add column if not exists postcodes_unmatched integer not null default 0;

-- The distinct values of a batch's replace scope (row(scope)::text), so a re-delivery finds the
-- earlier batches it replaces without reading every loaded row (svdw.loader._supersede). Null:
-- not recorded (a batch loaded before this column, or a contract without a scope).
alter table audit.load_batch add column if not exists scopes text[];

-- ---------------------------------------------------------------------------------------------
-- Identifiable data at rest (svdw.archive, svdw.key_fingerprint).
-- ---------------------------------------------------------------------------------------------

-- Which pseudonymisation key replaced a batch's direct identifiers: HMAC-SHA256 of a fixed
-- label under the key, first 16 hex (never the key). Null: the batch held no direct
-- identifiers, so no key touched it. A load with another key than earlier batches is refused.
alter table audit.load_batch add column if not exists pseudonym_key_fingerprint text;

-- Every archived or rejected partner file deleted when its contract's retention ran out.
create table if not exists audit.archive_purge (
    purge_id        bigserial   primary key,
    contract        text        not null,
    kind            text        not null check (kind in ('archived', 'rejected')),
    file_name       text        not null,
    kept_since      timestamptz not null,
    retention_days  integer     not null,
    purged_by       text        not null,
    purged_at       timestamptz not null default now()
);
create index if not exists archive_purge_contract on audit.archive_purge (contract, purged_at);

-- The warehouse's pseudonymisation key, by fingerprint: one row (the unique index on a
-- constant), written by the first load that used a key, in its transaction. A concurrent first
-- load with another key waits on the index and is refused, so two keys never both get in.
create table if not exists audit.pseudonym_key (
    fingerprint     text        primary key,
    first_batch_id  bigint      not null,
    recorded_at     timestamptz not null default now()
);
create unique index if not exists pseudonym_key_one_row on audit.pseudonym_key ((true));

-- Which build's snapshot each incremental dbt model last merged (dbt/macros/incremental_batches.sql):
-- written by the model's post-hook in the model's own transaction, so it is true exactly when
-- the model's rows are. `dimensions_md5` fingerprints the dimensions the model joins; when they
-- change, the model recomputes every row.
create table if not exists audit.incremental_build (
    model_name      text        not null,
    build_id        bigint      not null,
    dimensions_md5  text,
    built_at        timestamptz not null default now(),
    primary key (model_name, build_id)
);
