{#-
  district_month_cells(counted, count_column, as_column)
  Every district (CTE `districts`) in every month (CTE `months`) with its residents in the
  month's calendar year (CTE `population`, from area_population(..., 'district')) and the count
  `count_column` of CTE `counted` (one row per month_start and district_code), 0 where it has
  none, as `as_column`: the cells a district-by-month sna model protects and publishes.

  lsoa_period_cells(counted, count_column, as_column)
  The same for every LSOA (CTE `geography`, one row per lsoa_code) over one period (CTE
  `period`, one row with period_end): residents in the year of the period's last month
  (area_population(..., 'lsoa')) and the count of CTE `counted` (one row per lsoa_code).
-#}
{% macro district_month_cells(counted, count_column, as_column) -%}
select
        months.month_start,
        districts.district_code,
        districts.district_name,
        population.population,
        population.is_nearest_year_estimate                         as population_is_nearest_year,
        coalesce({{ counted }}.{{ count_column }}, 0)                as {{ as_column }}
    from months
    cross join districts
    left join population
        on districts.district_code = population.area_code
        and to_char(months.month_start, 'YYYY') = population.period
    left join {{ counted }}
        on months.month_start = {{ counted }}.month_start
        and districts.district_code = {{ counted }}.district_code
{%- endmacro %}

{% macro lsoa_period_cells(counted, count_column, as_column) -%}
select
        geography.*,
        population.population,
        population.is_nearest_year_estimate                         as population_is_nearest_year,
        coalesce({{ counted }}.{{ count_column }}, 0)                as {{ as_column }}
    from geography
    cross join period
    left join population
        on geography.lsoa_code = population.area_code
        and to_char(period.period_end, 'YYYY') = population.period
    left join {{ counted }}
        on geography.lsoa_code = {{ counted }}.lsoa_code
{%- endmacro %}
