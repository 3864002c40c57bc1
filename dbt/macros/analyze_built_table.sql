{#
  Post-hook of every model (dbt_project.yml): gather the planner's statistics on a table the
  model just built. A freshly created table has none until autovacuum gets to it, and the next
  model reading it is planned blind: the LSOA-level sna models at national scale (35,000 LSOAs)
  joined the population table as if the filter left one row, a nested loop over 600,000 rows
  per LSOA, and ran for hours instead of a second (benchmarks/notes.md, month_end_to_end_s).
  Views have no statistics of their own and ephemeral models no relation.
#}
{% macro analyze_built_table() -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
