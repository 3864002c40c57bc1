{#-
  district_names(relation)
  The partnership's districts, one row per district_code with its district_name, from
  dim_geography (pass ref('dim_geography'), so each model's dependencies and its unit tests'
  inputs stay visible). The frame most sna models cross-join their periods with, so that a
  district without events still shows a 0.
-#}
{% macro district_names(relation) -%}
select district_code, max(district_name) as district_name
    from {{ relation }}
    where district_code is not null
    group by district_code
{%- endmacro %}
