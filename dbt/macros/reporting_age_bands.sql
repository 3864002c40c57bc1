{#-
  reporting_age_bands(relation, all_ages=true)
  The age bands an sna model reports by: every band of `relation` (ref('dim_age_band'):
  age_band, sort_order), plus 'Unknown' (sort_order 99, last) for records without an age, and,
  with all_ages, 'All ages' (sort_order 0, first) for the model's total row. Written once so
  the labels and their order, which dashboards filter on, are the same in every model.
  Takes the relation rather than calling ref() so the model's inputs stay visible in it.
-#}
{% macro reporting_age_bands(relation, all_ages=true) -%}
select age_band, sort_order from {{ relation }}
    union all
    select 'Unknown', 99
    {%- if all_ages %}
    union all
    select 'All ages', 0
    {%- endif %}
{%- endmacro %}
