-- Ambulance call-out hotspots: call-outs to assaults per 2021 LSOA of the incident over the
-- latest 12 months of ambulance data (ending with its latest month), per 1,000 residents with
-- the Byar 95% interval, ranked on the published rates, with the LSOA's approximate point for
-- the map. Monthly LSOA counts are too small to publish; a year's can be. Disclosure control by
-- the NHS rule (health: 1-7 withheld, the rest rounded to 5) with secondary suppression over
-- the LSOAs of a ward (wards nest in districts, so district totals cannot reveal one either).

with

geography as (

    select lsoa_code, lsoa_name, ward_code, ward_name, district_code, district_name
    from {{ ref('dim_geography') }}
    where district_code is not null

),

period as (

    {{ latest_12_months_period(
        '(select cast(date_trunc(\'month\', call_date) as date) as month_start from '
        ~ ref('fct_ambulance_callout') ~ ' where district_code is not null) as callouts'
    ) }}

),

population as (

    {{ area_population(ref('int_population_by_area'), 'lsoa') }}

),

counted as (

    select callouts.lsoa_code, count(*) as callouts
    from {{ ref('fct_ambulance_callout') }} as callouts
    cross join period
    where callouts.lsoa_code is not null
        and cast(date_trunc('month', callouts.call_date) as date)
            between period.period_start and period.period_end
    group by callouts.lsoa_code

),

cells as (

    {{ lsoa_period_cells('counted', 'callouts', 'callouts') }}

),

protected as (

    {{ suppress_small_counts(
        'cells', 'callouts', groupings=[['ward_code']], tiebreak=['lsoa_code'], family='health'
    ) }}

),

{%- set rate_args = dict(per=1000, decimals=2, withheld=['protected.is_suppressed'], family='health') %}

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
        cast(protected.population as bigint)                        as population,
        protected.population_is_nearest_year,
        {{ published_count('protected.callouts', 'protected.is_suppressed', family='health') }}
                                                                    as callout_count,
        {{ published_rate_columns(
            'callout_rate_per_1000', 'protected.callouts', 'protected.population', method='byar', **rate_args
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
            when callout_rate_per_1000 is not null
                then rank() over (order by callout_rate_per_1000 desc nulls last)
        end                                                         as callout_rate_rank
    from published

)

select * from final
