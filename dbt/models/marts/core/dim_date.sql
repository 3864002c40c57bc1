-- Calendar dimension: one row per day, with calendar and financial (April-March) attributes.
with

days as (

    select date_day from {{ ref('int_dates_spined') }}

),

final as (

    select
        date_day,
        cast(date_trunc('month', date_day) as date)             as month_start,
        cast(extract(year from date_day) as integer)            as calendar_year,
        cast(extract(month from date_day) as integer)           as month_of_year,
        trim(to_char(date_day, 'Month'))                        as month_name,
        to_char(date_day, 'YYYY-MM')                            as year_month,
        cast(extract(isodow from date_day) as integer)          as day_of_week,
        trim(to_char(date_day, 'Day'))                          as day_name,
        extract(isodow from date_day) in (6, 7)                 as is_weekend,
        {{ financial_year('date_day') }}                        as financial_year,
        {{ financial_year_start('date_day') }}                  as financial_year_start,
        cast(
            (extract(month from date_day)::integer + 8) % 12 / 3 + 1 as integer
        )                                                       as financial_quarter
    from days

)

select * from final
