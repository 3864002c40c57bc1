-- One row per day over the whole financial years that the data covers (at least var
-- date_spine_start to the current financial year), so every fact date has a dim_date row.
{{ config(materialized='view', schema='intermediate') }}

with

bounds as (

    select
        least(
            cast('{{ var("date_spine_start", "2010-04-01") }}' as date),
            min(month_start)
        ) as first_day,
        greatest(current_date, max(month_start)) as last_day
    from {{ ref('stg_police__street_crimes') }}

),

spine as (

    select cast(day as date) as date_day
    from bounds,
        generate_series(
            {{ financial_year_start('bounds.first_day') }},
            {{ financial_year_start('bounds.last_day') }} + interval '1 year' - interval '1 day',
            interval '1 day'
        ) as day

)

select date_day from spine
