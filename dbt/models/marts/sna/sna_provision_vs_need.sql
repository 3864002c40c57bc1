-- Provision against need, per district, financial year and prevention tier.
-- Need (per district and year): police-recorded violence and sexual offences per 1,000 residents
-- and deprivation (population-weighted mean IMD 2019 rank of the district's LSOAs). need_score is
-- the mean of the district's two percentile ranks among the partnership's districts that year
-- (violence rate: 1 = highest; deprivation: 1 = most deprived), 0 to 1; need_rank 1 = most need.
-- Provision (per district, year and tier of dim_programme): sessions delivered and young people
-- who attended at provider sites in the district (site postcode -> LSOA), and the weekly places
-- the provision audit lists there; sessions per 1,000 young people (aged 10-24: ONS mid-year
-- estimates by single year of age for the financial year, or the nearest year).
-- A district is high-need when need_rank is in the top third of districts, and low-provision
-- for a tier when its sessions per 1,000 young people are in the bottom third for that tier
-- and year (percentile rank <= 1/3, so no sessions at all counts as low).
-- Ward level is not published: the audit has a couple of dozen sites, so almost every ward
-- would show no provision. Sessions at sites the audit does not list cannot be located and
-- are left out (see int_provision_sites_located).
-- Disclosure control: each count column through suppress_small_counts (suppress_count_columns
-- for the three per-tier counts) with its own flag.

with

geography as (

    select * from {{ ref('dim_geography') }}

),

districts as (

    select
        district_code,
        max(district_name)                                          as district_name,
        round(sum(imd_rank * population_total) * 1.0
            / nullif(sum(population_total) filter (where imd_rank is not null), 0))
                                                                    as imd_average_rank
    from geography
    where district_code is not null
    group by district_code

),

populations as (

    -- residents per district and financial year (ONS mid-year estimate of the year's start, or
    -- the nearest), all ages and aged 10-24 (summed from single years of age)
    select
        area_code                                                   as district_code,
        period                                                      as financial_year,
        max(population) filter (where age_group = 'All ages')       as population,
        max(population) filter (where age_group = '10-24')          as young_population
    from {{ ref('int_population_by_area') }}
    where area_type = 'district'
        and period_type = 'financial_year'
        and age_group in ('All ages', '10-24')
    group by area_code, period

),

sessions as (

    select
        {{ financial_year('sessions.session_date') }}              as financial_year,
        sessions.session_date,
        sessions.session_id,
        sessions.participant_key,
        sessions.attended,
        programmes.tier,
        located.district_code
    from {{ ref('fct_provision_session') }} as sessions
    inner join {{ ref('dim_programme') }} as programmes
        on sessions.programme_key = programmes.programme_key
    inner join (
        select distinct provider_key, district_code
        from {{ ref('int_provision_sites_located') }}
        where district_code is not null
    ) as located
        on sessions.provider_key = located.provider_key

),

years as (

    select
        {{ financial_year('session_date') }}                        as financial_year,
        count(distinct date_trunc('month', session_date))           as provision_month_count
    from {{ ref('fct_provision_session') }}
    group by 1

),

tiers (tier) as (

    values ('Primary'), ('Secondary'), ('Tertiary')

),

violence as (

    select
        {{ financial_year('month_start') }} as financial_year,
        district_code,
        count(*)                            as violence_count
    from {{ ref('fct_police_crime') }}
    where is_violence_and_sexual
        and district_code is not null
    group by 1, 2

),

district_years as (

    select
        years.financial_year,
        districts.district_code,
        coalesce(violence.violence_count, 0) as violence_count
    from years
    cross join districts
    left join violence
        on years.financial_year = violence.financial_year
        and districts.district_code = violence.district_code

),

protected_violence as (

    {{ suppress_small_counts(
        'district_years', 'violence_count',
        groupings=[['financial_year'], ['district_code']],
        tiebreak=['district_code', 'financial_year'], family='police'
    ) }}

),

need as (

    select
        district_years.financial_year,
        district_years.district_code,
        round(cast((
            percent_rank() over (
                partition by district_years.financial_year
                order by district_years.violence_count * 1.0 / nullif(populations.population, 0)
            )
            + percent_rank() over (
                partition by district_years.financial_year
                order by districts.imd_average_rank desc
            )
        ) / 2 as numeric), 3)                                       as need_score
    from district_years
    inner join districts
        on district_years.district_code = districts.district_code
    left join populations
        on district_years.district_code = populations.district_code
        and district_years.financial_year = populations.financial_year

),

ranked_need as (

    select
        need.*,
        rank() over (partition by financial_year order by need_score desc) as need_rank,
        count(*) over (partition by financial_year)                       as district_count
    from need

),

provision as (

    select
        financial_year,
        district_code,
        tier,
        count(distinct session_id)                                  as session_count,
        count(distinct participant_key) filter (where attended)     as participant_count
    from sessions
    group by financial_year, district_code, tier

),

places as (

    select
        located.district_code,
        programmes.tier,
        sum(located.places_per_week) as weekly_place_count
    from {{ ref('int_provision_sites_located') }} as located
    inner join {{ ref('dim_programme') }} as programmes
        on located.programme_key = programmes.programme_key
    where located.district_code is not null
    group by located.district_code, programmes.tier

),

district_tiers as (

    select
        years.financial_year,
        districts.district_code,
        tiers.tier,
        coalesce(provision.session_count, 0)      as session_count,
        coalesce(provision.participant_count, 0)  as participant_count,
        coalesce(places.weekly_place_count, 0)    as weekly_place_count
    from years
    cross join districts
    cross join tiers
    left join provision
        on years.financial_year = provision.financial_year
        and districts.district_code = provision.district_code
        and tiers.tier = provision.tier
    left join places
        on districts.district_code = places.district_code
        and tiers.tier = places.tier

),

protected_district_tiers as (

    {{ suppress_count_columns(
        'district_tiers', ['session_count', 'participant_count', 'weekly_place_count'],
        groupings=[['financial_year', 'tier'], ['financial_year', 'district_code']],
        tiebreak=['district_code', 'tier', 'financial_year'], family='providers'
    ) }}

),

provision_ranked as (

    select
        protected_district_tiers.*,
        percent_rank() over (
            partition by protected_district_tiers.financial_year, protected_district_tiers.tier
            order by protected_district_tiers.session_count * 1.0
                / nullif(populations.young_population, 0)
        ) as provision_percent_rank
    from protected_district_tiers
    left join populations
        on protected_district_tiers.district_code = populations.district_code
        and protected_district_tiers.financial_year = populations.financial_year

),

final as (

    select
        provision_ranked.financial_year,
        years.provision_month_count,
        provision_ranked.district_code,
        districts.district_name,
        provision_ranked.tier,
        cast(populations.population as bigint)                      as population,
        cast(populations.young_population as bigint)                as young_population,
        {{ published_count(
            'protected_violence.violence_count', 'protected_violence.is_suppressed', family='police'
        ) }}                                                        as violence_count,
        protected_violence.is_suppressed                            as violence_count_is_suppressed,
        {{ published_rate_columns(
            'violence_rate_per_1000', 'protected_violence.violence_count', 'populations.population', per=1000, decimals=2,
            withheld=['protected_violence.is_suppressed'], family='police'
        ) }},
        cast(districts.imd_average_rank as integer)                 as imd_average_rank,
        ranked_need.need_score,
        cast(ranked_need.need_rank as integer)                      as need_rank,
        {{ published_count(
            'provision_ranked.session_count', 'provision_ranked.session_count_is_suppressed', family='providers'
        ) }}                                                        as session_count,
        provision_ranked.session_count_is_suppressed                as session_count_is_suppressed,
        {{ published_rate_columns(
            'sessions_per_1000_young_people', 'provision_ranked.session_count', 'populations.young_population', per=1000, decimals=2,
            withheld=['provision_ranked.session_count_is_suppressed'], family='providers'
        ) }},
        {{ published_count(
            'provision_ranked.participant_count', 'provision_ranked.participant_count_is_suppressed', family='providers'
        ) }}                                                        as participant_count,
        provision_ranked.participant_count_is_suppressed            as participant_count_is_suppressed,
        {{ published_rate_columns(
            'participant_rate_per_1000_young_people', 'provision_ranked.participant_count', 'populations.young_population', per=1000,
            decimals=2, withheld=['provision_ranked.participant_count_is_suppressed'], family='providers'
        ) }},
        {{ published_count(
            'provision_ranked.weekly_place_count', 'provision_ranked.weekly_place_count_is_suppressed', family='providers'
        ) }}                                                        as weekly_place_count,
        provision_ranked.weekly_place_count_is_suppressed           as weekly_place_count_is_suppressed,
        ranked_need.need_rank <= ceil(ranked_need.district_count / 3.0)
                                                                    as is_high_need,
        provision_ranked.provision_percent_rank <= 1.0 / 3          as is_low_provision,
        ranked_need.need_rank <= ceil(ranked_need.district_count / 3.0)
            and provision_ranked.provision_percent_rank <= 1.0 / 3  as is_high_need_low_provision
    from provision_ranked
    inner join years
        on provision_ranked.financial_year = years.financial_year
    inner join districts
        on provision_ranked.district_code = districts.district_code
    left join populations
        on provision_ranked.district_code = populations.district_code
        and provision_ranked.financial_year = populations.financial_year
    inner join ranked_need
        on provision_ranked.financial_year = ranked_need.financial_year
        and provision_ranked.district_code = ranked_need.district_code
    inner join protected_violence
        on provision_ranked.financial_year = protected_violence.financial_year
        and provision_ranked.district_code = protected_violence.district_code

)

select * from final
