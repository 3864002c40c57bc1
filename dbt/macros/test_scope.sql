{#
  Data tests of an incremental build test the rows it delivered, not all of history
  (docs/runbook.md, "What a build tests").

  A month's build admits that month's load batches; every earlier batch was tested by the
  earlier whole builds that admitted it. So in a pinned build that is neither a full refresh nor
  a rebuild (audit.build.selection 'whole' or 'partial'), a test that checks rows one at a time
  (ROW_TESTS) on a relation whose rows belong to load batches reads only the rows of the batches
  new since the last succeeded whole build:
    - the raw tables (dbt sources) and the staging views: their rows are their batches' rows;
    - the incremental facts (dbt/macros/incremental_batches.sql): rows of unchanged batches are
      not rewritten, unless the fact's SQL or dimensions changed (its fingerprint in
      audit.incremental_build differs from the build before), and then every row is tested.
  Tests of the other models (dimensions, the sna aggregates, rebuilt whole each build), tests
  that compare rows with each other (unique), full refreshes (`svdw build --full-refresh`),
  rebuilds (`--rebuild`) and ad-hoc dbt runs test every row, as before.

  dbt wraps a tested relation in get_where_subquery (the `where` config); this is dbt's own
  macro (dbt/include/global_project/macros/materializations/tests/where_subquery.sql) with the
  scope added to the test's own `where`.
#}

{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set scope = svdw_test_scope(relation) -%}
    {%- if scope -%}{%- do conditions.append(scope) -%}{%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{# Tests that judge each row on its own (a row of an old batch cannot start failing them
   because of a new row). NOT NULL rules are columns_not_null tests (one per model, not dbt's
   not_null per column: tests/unit/test_dbt_not_null_tests.py). #}
{% macro svdw_row_tests() -%}
    {{- return(['columns_not_null', 'accepted_values', 'relationships', 'accepted_range']) -}}
{%- endmacro %}


{# The condition limiting a test to this build's new rows, or '' to test every row. #}
{% macro svdw_test_scope(relation) -%}
    {%- if not execute or flags.FULL_REFRESH or not in_warehouse_build() -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set test_name = ((model or {}).get('test_metadata') or {}).get('name') -%}
    {%- if test_name not in svdw_row_tests() -%}{{- return('') -}}{%- endif -%}
    {%- set kind = svdw_batch_relation_kind(relation) -%}
    {%- if kind is none -%}{{- return('') -}}{%- endif -%}
    {%- set this_build = svdw_build_id() -%}
    {%- set selection = run_query(
        "select selection from " ~ source('audit', 'build') ~ " where build_id = " ~ this_build
    ).columns[0].values() -%}
    {%- if not selection or selection[0] not in ('whole', 'partial') -%}{{- return('') -}}{%- endif -%}
    {%- if kind == 'incremental' -%}
        {%- set name = relation.schema ~ '.' ~ relation.identifier -%}
        {%- set query -%}
            select (
                select dimensions_md5 from {{ source('audit', 'incremental_build') }}
                where model_name = '{{ name }}' and build_id = {{ this_build }}
            ) is not distinct from (
                select dimensions_md5 from {{ source('audit', 'incremental_build') }}
                where model_name = '{{ name }}' and build_id < {{ this_build }}
                order by build_id desc limit 1
            )
        {%- endset -%}
        {%- if not run_query(query).columns[0].values()[0] -%}{{- return('') -}}{%- endif -%}
    {%- endif -%}
    {%- set reference -%}
        select max(build_id) from {{ source('audit', 'build') }}
        where status = 'succeeded' and selection in ('whole', 'refresh') and build_id < {{ this_build }}
    {%- endset -%}
    {%- set new_batches -%}
        _batch_id in (
            select batch_id from {{ source('audit', 'build_batch') }} where build_id = {{ this_build }}
            except
            select batch_id from {{ source('audit', 'build_batch') }} where build_id = ({{ reference }})
        )
    {%- endset -%}
    {{- return(new_batches) -}}
{%- endmacro %}


{# 'source' for a raw table, 'staging' for a staging view, 'incremental' for an incremental
   fact: the relations whose rows belong to load batches (a `_batch_id` column); else none. #}
{% macro svdw_batch_relation_kind(relation) -%}
    {%- if relation.schema == 'raw' -%}{{- return('source') -}}{%- endif -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.schema == relation.schema
            and (node.alias or node.name) == relation.identifier -%}
            {%- if node.config.materialized == 'incremental' -%}{{- return('incremental') -}}{%- endif -%}
            {%- if node.fqn[1] == 'staging' and node.config.materialized == 'view' -%}
                {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
                {%- if '_batch_id' in columns -%}{{- return('staging') -}}{%- endif -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(none) -}}
{%- endmacro %}
