{#-
  force_crime_months(relation)
  Crimes in the force crime extract (pass ref('fct_police_force_crime')), once per crime (its
  first row), with the month it was recorded, its district and is_serious_violence; crimes with
  no recorded date are left out. What the serious-violence SPC chart and funnel plot count.
-#}
{% macro force_crime_months(relation) -%}
select
        cast(date_trunc('month', recorded_date) as date)    as month_start,
        district_code,
        is_serious_violence
    from {{ relation }}
    where is_first_row_of_crime
        and recorded_date is not null
{%- endmacro %}
