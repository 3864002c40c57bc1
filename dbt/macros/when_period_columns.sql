{#-
  when_period_columns(periods=none, sources=none)
  The columns that name a source and a period in the "When violence happens" models
  (sna_violence_hour_weekday, sna_violence_after_school, sna_violence_night_time_economy), in
  their published order: source, source_name, source_sort_order, disclosure_family,
  period_type, period, period_sort_order, period_start, period_end, months_covered,
  is_part_period. Pass the aliases of the periods (int_violence_periods_listed) and sources
  CTEs where they are joined; call with none once the columns are on one relation.
-#}
{% macro when_period_columns(periods=none, sources=none) -%}
{%- set p = periods ~ '.' if periods else '' -%}
{%- set s = sources ~ '.' if sources else '' -%}
{{ p }}source,
        {{ s }}source_name,
        {{ s }}source_sort_order,
        {{ s }}disclosure_family,
        {{ p }}period_type,
        {{ p }}period,
        {{ p }}period_sort_order,
        {{ p }}period_start,
        {{ p }}period_end,
        {{ p }}months_covered,
        {{ p }}is_part_period
{%- endmacro %}
