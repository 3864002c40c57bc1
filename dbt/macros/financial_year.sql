{#- A year that starts in month `first_month` of a date, as 'YYYY/YY' (the label of the calendar
    year it starts in): the financial year and the academic year below. -#}
{% macro year_starting_in(date_expr, first_month) -%}
    (
        cast(extract(year from {{ date_expr }}) - case when extract(month from {{ date_expr }}) < {{ first_month }} then 1 else 0 end as integer)::text
        || '/'
        || lpad(((cast(extract(year from {{ date_expr }}) - case when extract(month from {{ date_expr }}) < {{ first_month }} then 1 else 0 end as integer) + 1) % 100)::text, 2, '0')
    )
{%- endmacro %}

{#- UK public-sector financial year (April to March) of a date, as 'YYYY/YY': 2019-03-31 is
    '2018/19', 2019-04-01 is '2019/20'. -#}
{% macro financial_year(date_expr) -%}
    {{ year_starting_in(date_expr, 4) }}
{%- endmacro %}

{#- School academic year (September to August) of a date, as 'YYYY/YY', as DfE labels it. -#}
{% macro academic_year(date_expr) -%}
    {{ year_starting_in(date_expr, 9) }}
{%- endmacro %}

{#- First day (a date) of the financial year that contains date_expr. -#}
{% macro financial_year_start(date_expr) -%}
    make_date(
        cast(extract(year from {{ date_expr }}) - case when extract(month from {{ date_expr }}) < 4 then 1 else 0 end as integer),
        4,
        1
    )
{%- endmacro %}
