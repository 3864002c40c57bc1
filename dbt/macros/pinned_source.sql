{#
  Builds on a snapshot (svdw.snapshot): what a staging model reads of a raw table is the rows of
  the load batches its build admitted (audit.build_batch) that no admitted batch replaced.

  A re-delivery moves the rows it replaces from raw.<table> to history.<table>, listing in
  `_superseded_by_batches` every batch that replaced them. Until one of those batches is admitted
  the old rows are still what the build reads, so this reads raw and history together. Rows in raw
  were replaced by no batch at all.

  Use it in a staging model's `source` CTE in place of source('raw', ...):
      select * from {{ pinned_source('raw', 'police__force_crimes') }}
  source() stays inside, so lineage and the raw source tests work as before.
#}
{% macro pinned_source(source_name, table_name) -%}
    {%- set raw_relation = source(source_name, table_name) -%}
    {%- set admitted -%}
        select batch_id from {{ source('audit', 'build_batch') }} where build_id = {{ svdw_build_id() }}
    {%- endset -%}
    {%- set history_relation = none -%}
    {%- set column_list = '*' -%}
    {%- if execute -%}
        {%- set history_relation = adapter.get_relation(
            database=raw_relation.database, schema='history', identifier=raw_relation.identifier
        ) -%}
        {%- set names = [] -%}
        {%- for column in adapter.get_columns_in_relation(raw_relation) -%}
            {%- do names.append(adapter.quote(column.name)) -%}
        {%- endfor -%}
        {%- if names -%}{%- set column_list = names | join(', ') -%}{%- endif -%}
    {%- endif -%}
    (
        select {{ column_list }} from {{ raw_relation }}
        where _batch_id in ({{ admitted }})
        {%- if history_relation is not none and column_list != '*' %}
        union all
        select {{ column_list }} from {{ history_relation }}
        where _batch_id in ({{ admitted }})
            and not (coalesce(_superseded_by_batches, '{}') && array({{ admitted }}))
        {%- endif %}
    ) as pinned
{%- endmacro %}


{#
  The build whose snapshot this dbt run reads: the var svdw_build_id (svdw build and the
  warehouse_build DAG pass it), else the latest build that pinned one (an ad-hoc `dbt build`).
#}
{#
  The build id comes from --vars (the Airflow DAG) or, read only when the SQL is executed, from
  SVDW_DBT_BUILD_ID (svdw.transform.dbt_build): a var that changes every build makes dbt parse the
  whole project again each time (~1 minute on 2 busy cores), an environment variable read only
  at execution is not part of the parse, so partial parsing keeps working.
#}
{% macro svdw_build_id() -%}
    {%- set value = var('svdw_build_id', none) -%}
    {%- if value is none and execute -%}
        {%- set value = env_var('SVDW_DBT_BUILD_ID', '') -%}
    {%- endif -%}
    {%- if value is none or (value | string | trim) == '' -%}
        (select max(build_id) from {{ source('audit', 'build') }} where pinned_at is not null)
    {%- elif modules.re.fullmatch('[0-9]+', value | string | trim) -%}
        {{ value | string | trim }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var svdw_build_id must be a build id (audit.build), got " ~ value
        ) }}
    {%- endif -%}
{%- endmacro %}
