{#
  Incremental facts (docs/runbook.md, "Incremental builds and full refresh").

  A large fact is materialized `incremental` with strategy delete+insert on `_batch_id`: a build
  re-reads only the load batches whose visible rows changed since the build the fact last merged,
  and replaces exactly those batches' rows. The snapshot (svdw.snapshot, audit.build_batch) says
  which batches a build reads; audit.incremental_build says which build each fact last merged
  (written by the fact's post-hook in the fact's own transaction). Between the two builds:
    - new:       admitted now, not then (a delivery, a re-delivery, an accepted batch);
    - dropped:   admitted then, not now (a person rejected it);
    - replaced:  batches some of whose rows were visible then and are not now (a re-delivery
                 that this build admits moved them to history.<table>).
  Their union is the set `incremental_changed_batches` returns. The pre-hook deletes those
  batches' rows from the fact; the model selects the rows of the same batches that the snapshot
  shows now (the filter reaches raw.<table> through the staging view, where _batch_id is
  indexed); delete+insert swaps them in. History is never rescanned.

  A fact recomputes every row instead (the model selects everything) when:
    - it has never recorded a build (first incremental run on a table built before this);
    - the dimensions it joins (config meta `incremental_dimensions`, model names) or its own
      SQL changed since it last merged: their fingerprint differs from the recorded one;
    - it carries person keys (`person_columns`) and a row left the snapshot (dropped or replaced):
      removing a linking row can split a person, which changes person keys of rows in batches
      that did not change. A new row can only merge persons: the rows whose person key no
      longer exists are found by an anti-join and their batches are re-read as well.

  `svdw build --full-refresh` (dbt --full-refresh) rebuilds each fact from scratch: the same
  rows, the test tests/integration/test_incremental_build.py compares them.
#}


{# The name this model is recorded under in audit.incremental_build. #}
{% macro incremental_model_name() -%}
    {{- this.schema ~ '.' ~ this.identifier -}}
{%- endmacro %}


{# The build this model last merged (an int), or none. #}
{% macro incremental_previous_build() -%}
    {%- set query -%}
        select build_id, dimensions_md5 from {{ source('audit', 'incremental_build') }}
        where model_name = '{{ incremental_model_name() }}'
        order by build_id desc limit 1
    {%- endset -%}
    {%- set rows = run_query(query).rows -%}
    {{- return({'build_id': rows[0][0], 'dimensions_md5': rows[0][1]} if rows else none) -}}
{%- endmacro %}


{# Fingerprint of what decides this model's rows besides its own batches: its SQL and the
   relations named in config meta `incremental_dimensions`. #}
{% macro incremental_dimensions_md5() -%}
    {%- set names = (config.get('meta') or {}).get('incremental_dimensions', []) -%}
    {%- set parts = [local_md5(model.raw_code)] -%}
    {%- for name in names -%}
        {%- set query -%}
            select coalesce(md5(string_agg(row_md5, ',' order by row_md5)), '')
            from (select md5(cast(dimension as text)) as row_md5 from {{ ref(name) }} as dimension) as rows
        {%- endset -%}
        {%- do parts.append(run_query(query).columns[0].values()[0]) -%}
    {%- endfor -%}
    {{- return(local_md5(parts | join('|'))) -}}
{%- endmacro %}


{# Batches whose visible rows differ between build `previous_build_id` and this build's snapshot
   (see the top): {'batches': [ids], 'rows_left': true when a row left the snapshot}. #}
{% macro incremental_changed_batches(previous_build_id) -%}
    {%- set history_tables = run_query(
        "select table_name from information_schema.tables where table_schema = 'history'"
        " and table_type = 'BASE TABLE' order by table_name"
    ).columns[0].values() -%}
    {%- set query -%}
        with

        current_batches as (
            select batch_id from {{ source('audit', 'build_batch') }}
            where build_id = {{ svdw_build_id() }}
        ),

        previous_batches as (
            select batch_id from {{ source('audit', 'build_batch') }}
            where build_id = {{ previous_build_id }}
        ),

        changes as (
            (select batch_id, false as row_left from current_batches
             except select batch_id, false from previous_batches)
            union all
            (select batch_id, true from previous_batches
             except select batch_id, true from current_batches)
            {%- for table in history_tables %}
            union all
            select distinct _batch_id, true from history.{{ adapter.quote(table) }}
            where _batch_id in (select batch_id from previous_batches)
                and not (coalesce(_superseded_by_batches, '{}') && array(select batch_id from previous_batches))
                and coalesce(_superseded_by_batches, '{}') && array(select batch_id from current_batches)
            {%- endfor %}
        )

        select batch_id, bool_or(row_left) from changes group by batch_id order by batch_id
    {%- endset -%}
    {%- set rows = run_query(query).rows -%}
    {%- set batches = [] -%}
    {%- set rows_left = [] -%}
    {%- for row in rows -%}
        {%- do batches.append(row[0] | int) -%}
        {%- if row[1] -%}{%- do rows_left.append(row[0]) -%}{%- endif -%}
    {%- endfor -%}
    {{- return({'batches': batches, 'rows_left': rows_left | length > 0}) -}}
{%- endmacro %}


{# The batches this run of an incremental fact re-reads: a list of ids, or none for every row.
   person_columns: the fact's person key columns (keys of int_person_resolved). #}
{% macro incremental_batches(person_columns=[]) -%}
    {#- a dbt unit test has no relation (`this`) and reads only its fixture rows -#}
    {%- if not execute or this is none or not is_incremental() -%}{{- return(none) -}}{%- endif -%}
    {%- set previous = incremental_previous_build() -%}
    {%- if previous is none or previous.dimensions_md5 != incremental_dimensions_md5() -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set changes = incremental_changed_batches(previous.build_id) -%}
    {%- if person_columns and changes.rows_left -%}{{- return(none) -}}{%- endif -%}
    {%- set batches = changes.batches -%}
    {%- if person_columns -%}
        {%- set query -%}
            select distinct fact._batch_id from {{ this }} as fact
            where
            {%- for column in person_columns %}
                {{ 'or ' if not loop.first }}(fact.{{ column }} is not null and not exists (
                    select from {{ ref('int_person_resolved') }} as people
                    where people.person_key = fact.{{ column }}
                ))
            {%- endfor %}
        {%- endset -%}
        {%- for batch_id in run_query(query).columns[0].values() -%}
            {%- do batches.append(batch_id | int) -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(batches | unique | list) -}}
{%- endmacro %}


{# SQL condition on a `_batch_id` column: the batches `incremental_batches` chose (true for
   every row when it chose all). #}
{% macro incremental_batch_filter(batches, column='_batch_id') -%}
    {%- if batches is none -%}
        true
    {%- elif batches -%}
        {{ column }} in ({{ batches | join(', ') }})
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}


{# Pre-hook: delete the rows of the changed batches (those still admitted are inserted again by
   delete+insert; those that left the snapshot have no row to insert); everything when the fact
   has never recorded a build. #}
{% macro incremental_delete_changed_batches() -%}
    {%- if execute and this is not none and is_incremental() -%}
        {%- set previous = incremental_previous_build() -%}
        {%- if previous is none -%}
            delete from {{ this }}
        {%- else -%}
            {%- set changes = incremental_changed_batches(previous.build_id) -%}
            {%- if changes.batches -%}
                delete from {{ this }} where _batch_id in ({{ changes.batches | join(', ') }})
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{# Post-hook: record the build this fact now reflects, with its dimensions' fingerprint. #}
{% macro incremental_record_build() -%}
    {%- if execute and this is not none -%}
    insert into {{ source('audit', 'incremental_build') }} (model_name, build_id, dimensions_md5)
    select '{{ incremental_model_name() }}', pinned.build_id, '{{ incremental_dimensions_md5() }}'
    from (select {{ svdw_build_id() }} as build_id) as pinned
    where pinned.build_id is not null
    on conflict (model_name, build_id) do update
        set dimensions_md5 = excluded.dimensions_md5, built_at = now()
    {%- endif -%}
{%- endmacro %}
