{#-
  area_population(relation, area_type, age_group='All ages', period_type='calendar_year')
  Residents per area and period from int_population_by_area (pass ref('int_population_by_area'),
  so each model's dependencies and its unit tests' inputs stay visible): one row per area_code
  and period ('2024', or '2024/25' for financial years), with population and
  is_nearest_year_estimate. Join a month on `to_char(month_start, 'YYYY') = period` (calendar)
  or on `{{ financial_year('month_start') }} = period` (financial).
-#}
{% macro area_population(relation, area_type, age_group='All ages', period_type='calendar_year') -%}
select area_code, period, population, is_nearest_year_estimate
    from {{ relation }}
    where area_type = '{{ area_type }}'
        and period_type = '{{ period_type }}'
        and age_group = '{{ age_group }}'
{%- endmacro %}
