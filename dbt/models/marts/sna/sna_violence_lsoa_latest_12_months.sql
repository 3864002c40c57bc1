-- Violence and sexual offences per LSOA over the latest 12 months of police.uk data, per 1,000
-- residents, ranked for hotspot tables and maps: monthly LSOA counts are mostly too small to
-- publish, a year's are not. Disclosure control: small counts withheld, and so is the smallest
-- other LSOA of any ward that would otherwise hold a single withheld cell (wards nest in
-- districts, so district totals over the same months cannot reveal one either).

with

geography as (

    select
        lsoa_code,
        lsoa_name,
        ward_code,
        ward_name,
        district_code,
        district_name
    from {{ ref('dim_geography') }}

),

period as (

    {{ latest_12_months_period(ref('fct_police_crime')) }}

),

population as (

    -- residents of each LSOA in the year of the period's latest month
    {{ area_population(ref('int_population_by_area'), 'lsoa') }}

),

violence as (

    select
        crimes.lsoa_code,
        count(*) as events
    from {{ ref('fct_police_crime') }} as crimes
    cross join period
    where crimes.is_violence_and_sexual
        and crimes.district_code is not null
        and crimes.month_start between period.period_start and period.period_end
    group by crimes.lsoa_code

),

lsoa_totals as (

    {{ lsoa_period_cells('violence', 'events', 'events') }}

),

protected as (

    {{ suppress_small_counts(
        'lsoa_totals', 'events',
        groupings=[['ward_code']],
        tiebreak=['lsoa_code'], family='police'
    ) }}

),

published as (

    select
        period.period_start,
        period.period_end,
        protected.lsoa_code,
        protected.lsoa_name,
        protected.ward_code,
        protected.ward_name,
        protected.district_code,
        protected.district_name,
        centroids.latitude,
        centroids.longitude,
        cast(protected.population as bigint) as population,
        protected.population_is_nearest_year,
        {{ published_count('protected.events', 'protected.is_suppressed', family='police') }} as violence_count,
        {{ published_rate_columns(
            'violence_rate_per_1000', 'protected.events', 'protected.population', per=1000, decimals=2,
            withheld=['protected.is_suppressed'], family='police'
        ) }},
        protected.is_suppressed
    from protected
    cross join period
    left join {{ ref('int_lsoa_centroids') }} as centroids
        on protected.lsoa_code = centroids.lsoa_code

),

final as (

    select
        published.*,
        -- ranks the published rates only, so a withheld cell's place cannot bound its count
        case
            when violence_rate_per_1000 is not null
                then rank() over (order by violence_rate_per_1000 desc nulls last)
        end as violence_rate_rank
    from published

)

select * from final
