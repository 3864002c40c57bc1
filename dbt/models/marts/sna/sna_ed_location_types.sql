-- ED assault attendances by the ISTV assault location type (Home, Street/road, Pub/bar/club, ...),
-- per financial year of arrival and ED site (with the site's district, seed ed_sites), with each
-- type's share of the site's attendances: the location half of the Cardiff Model's product.
-- Every type seen in any year is present for every site and year (0 when none), plus the
-- 'All location types' total. Health disclosure rule (1-7 withheld, counts rounded to 5),
-- secondary suppression over the types of a site and year (they add up to the total).

{#- shares are of the published (rounded) total, so a rounded count can never exceed it -#}
{%- set site_assaults_published = '(' ~ rounded_count('with_totals.site_assaults', family='health') ~ ')' %}
{#- no share for a withheld count, a withheld total, or the total itself -#}
{%- set share_withheld = [
    'with_totals.is_suppressed', 'with_totals.site_is_suppressed',
    "with_totals.location_type = 'All location types'"
] %}

with

attendances as (

    select
        {{ financial_year('arrival_date') }}                                as financial_year,
        arrival_date,
        site_code,
        assault_location_type
    from {{ ref('int_ed_venues_normalised') }}

),

sites as (

    {{ ed_site_districts(ref('ed_sites'), ref('dim_geography')) }}

),

site_years as (

    select financial_year, site_code, min(arrival_date) as period_start, max(arrival_date) as period_end
    from attendances
    group by financial_year, site_code

),

location_types as (

    select
        assault_location_type                                               as location_type,
        -- the kinds of place first, then 'Other' and 'Not known'
        case assault_location_type when 'Other' then 2 when 'Not known' then 3 else 1 end
                                                                            as location_type_group
    from attendances
    group by assault_location_type

    union all

    select 'All location types', 0

),

counted as (

    select financial_year, site_code, assault_location_type as location_type, count(*) as assaults
    from attendances
    group by financial_year, site_code, assault_location_type

    union all

    select financial_year, site_code, 'All location types', count(*)
    from attendances
    group by financial_year, site_code

),

cells as (

    select
        site_years.financial_year,
        site_years.site_code,
        location_types.location_type,
        location_types.location_type_group,
        coalesce(counted.assaults, 0)                                       as assaults
    from site_years
    cross join location_types
    left join counted
        on site_years.financial_year = counted.financial_year
        and site_years.site_code = counted.site_code
        and location_types.location_type = counted.location_type

),

protected as (

    {{ suppress_small_counts(
        'cells', 'assaults', groupings=[['financial_year', 'site_code']],
        tiebreak=['location_type'], family='health'
    ) }}

),

with_totals as (

    select
        protected.*,
        max(assaults) filter (where location_type = 'All location types') over (
            partition by financial_year, site_code
        )                                                                   as site_assaults,
        bool_or(is_suppressed) filter (where location_type = 'All location types') over (
            partition by financial_year, site_code
        )                                                                   as site_is_suppressed
    from protected

),

final as (

    select
        with_totals.financial_year,
        site_years.period_start,
        site_years.period_end,
        with_totals.site_code,
        sites.site_name,
        sites.district_code,
        sites.district_name,
        with_totals.location_type,
        with_totals.location_type_group,
        {{ published_count('with_totals.assaults', 'with_totals.is_suppressed', family='health') }}
                                                                            as assault_count,
        {{ published_rate_columns(
            'share_percent', 'with_totals.assaults', site_assaults_published, method='wilson', per=100,
            decimals=1, precision=5, withheld=share_withheld, family='health'
        ) }},
        with_totals.is_suppressed
    from with_totals
    inner join site_years
        on with_totals.financial_year = site_years.financial_year
        and with_totals.site_code = site_years.site_code
    left join sites
        on with_totals.site_code = sites.site_code

)

select * from final
