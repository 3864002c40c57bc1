-- Drivers of knife crime: knife or sharp-object enabled serious violence (the partnership's
-- definition, dim_offence, or the force's knife flag) per financial year (of the recording
-- date) and district where it happened, with how many crimes the force flagged domestic-abuse,
-- alcohol- or drug-related. Long format, one row per driver plus the 'all' row that is every
-- percentage's denominator, so one count column carries the disclosure control. A crime counts
-- once however many victims and suspects it has, and under every flag it carries (the flags
-- overlap, so drivers do not add up to 'all').

with

knife_crimes as (

    select
        crime_reference,
        min(recorded_date)                                          as recorded_date,
        min(district_code)                                          as district_code,
        bool_or(is_domestic_abuse)                                  as is_domestic_abuse,
        bool_or(is_alcohol_related)                                 as is_alcohol_related,
        bool_or(is_drug_related)                                    as is_drug_related
    from {{ ref('fct_police_force_crime') }}
    where is_serious_violence
        and is_knife_or_sharp_object
        and district_code is not null
    group by crime_reference

),

districts as (

    select district_code, max(district_name) as district_name
    from {{ ref('dim_geography') }}
    where district_code is not null
    group by district_code

),

drivers (driver_code, driver_name, driver_sort_order) as (

    values
        ('all', 'All knife or sharp-object enabled serious violence', 0),
        ('domestic_abuse', 'Domestic abuse related', 1),
        ('alcohol', 'Alcohol related', 2),
        ('drugs', 'Drug related', 3)

),

years as (

    -- every financial year of the force extract, so a year without knife crime shows zeros
    select
        {{ financial_year('recorded_date') }}                    as financial_year,
        min(recorded_date)                                          as period_start,
        max(recorded_date)                                          as period_end
    from {{ ref('fct_police_force_crime') }}
    group by 1

),

flagged as (

    select
        {{ financial_year('knife_crimes.recorded_date') }}       as financial_year,
        knife_crimes.district_code,
        drivers.driver_code,
        count(*)                                                    as crimes
    from knife_crimes
    inner join drivers
        on drivers.driver_code = 'all'
        or (drivers.driver_code = 'domestic_abuse' and knife_crimes.is_domestic_abuse)
        or (drivers.driver_code = 'alcohol' and knife_crimes.is_alcohol_related)
        or (drivers.driver_code = 'drugs' and knife_crimes.is_drug_related)
    group by 1, 2, 3

),

cells as (

    select
        years.financial_year,
        years.period_start,
        years.period_end,
        districts.district_code,
        districts.district_name,
        drivers.driver_code,
        drivers.driver_name,
        drivers.driver_sort_order,
        coalesce(flagged.crimes, 0)                                 as crimes
    from years
    cross join districts
    cross join drivers
    left join flagged
        on years.financial_year = flagged.financial_year
        and districts.district_code = flagged.district_code
        and drivers.driver_code = flagged.driver_code

),

protected as (

    {{ suppress_small_counts(
        'cells', 'crimes',
        groupings=[['financial_year', 'driver_code'], ['district_code', 'driver_code']],
        tiebreak=['district_code', 'financial_year'], family='police'
    ) }}

),

with_total as (

    select
        protected.*,
        max(case when driver_code = 'all' then crimes end) over (
            partition by financial_year, district_code
        )                                                           as all_crimes,
        bool_or(driver_code = 'all' and is_suppressed) over (
            partition by financial_year, district_code
        )                                                           as is_all_suppressed
    from protected

),

final as (

    select
        financial_year,
        period_start,
        period_end,
        district_code,
        district_name,
        driver_code,
        driver_name,
        driver_sort_order,
        {{ published_count('crimes', 'is_suppressed', family='police') }} as knife_crime_count,
        -- withheld when either count is, else the withheld one could be worked out from it
        {{ published_rate_columns(
            'driver_percent', 'crimes', 'all_crimes', per=100, decimals=1, precision=5,
            withheld=['is_suppressed', 'is_all_suppressed'], family='police', method='wilson'
        ) }},
        is_suppressed
    from with_total

)

select * from final
