-- The Cardiff Model's venue list: the places ED assault patients name (ISTV free-text location,
-- normalised in int_ed_venues_normalised) ranked by assaults, per financial year of arrival and
-- ED site (the site's district from seed ed_sites: ISTV records no geography of the assault),
-- for the licensing and night-time economy leads. Assaults at home are left out: a home is not
-- a venue, and its description can point at a household. A place is named only when its count
-- is above the health suppression threshold and it is in the top var('ed_venue_top_n') (20) of
-- its site and year; every other place is counted in 'All other places', and 'All places' is
-- the total. Health disclosure rule (1-7 withheld, counts rounded to 5), secondary suppression
-- over the rows of a site and year (they add up to 'All places').
{%- set up_to = disclosure_rule('health')['suppress_up_to'] | int %}
{#- shares are of the published (rounded) total, so a rounded count can never exceed it -#}
{%- set site_assaults_published = '(' ~ rounded_count('with_totals.site_assaults', family='health') ~ ')' %}
{#- no share for a withheld count, a withheld total, or the total itself -#}
{%- set share_withheld = [
    'with_totals.is_suppressed', 'with_totals.site_is_suppressed', "with_totals.row_type = 'all'"
] %}

with

attendances as (

    select
        {{ financial_year('arrival_date') }}                                as financial_year,
        arrival_date,
        site_code,
        venue_name
    from {{ ref('int_ed_venues_normalised') }}
    where assault_location_type <> 'Home'
        and not is_private_place
        and venue_name is not null

),

sites as (

    {{ ed_site_districts(ref('ed_sites'), ref('dim_geography')) }}

),

years as (

    select financial_year, min(arrival_date) as period_start, max(arrival_date) as period_end
    from attendances
    group by financial_year

),

counted as (

    select financial_year, site_code, venue_name, count(*) as assaults
    from attendances
    group by financial_year, site_code, venue_name

),

ranked as (

    select
        *,
        row_number() over (
            partition by financial_year, site_code order by assaults desc, venue_name
        )                                                                   as venue_rank
    from counted

),

classified as (

    select
        *,
        venue_rank <= {{ var('ed_venue_top_n', 20) | int }} and assaults > {{ up_to }} as is_named
    from ranked

),

cells as (

    select financial_year, site_code, 'venue' as row_type, venue_rank, venue_name, assaults
    from classified
    where is_named

    union all

    select financial_year, site_code, 'other', null, 'All other places',
        coalesce(sum(assaults) filter (where not is_named), 0)
    from classified
    group by financial_year, site_code

    union all

    select financial_year, site_code, 'all', null, 'All places', sum(assaults)
    from classified
    group by financial_year, site_code

),

protected as (

    {{ suppress_small_counts(
        'cells', 'assaults', groupings=[['financial_year', 'site_code']],
        tiebreak=['row_type', 'venue_name'], family='health'
    ) }}

),

with_totals as (

    select
        protected.*,
        max(assaults) filter (where row_type = 'all') over (partition by financial_year, site_code)
                                                                            as site_assaults,
        bool_or(is_suppressed) filter (where row_type = 'all') over (
            partition by financial_year, site_code
        )                                                                   as site_is_suppressed
    from protected

),

final as (

    select
        with_totals.financial_year,
        years.period_start,
        years.period_end,
        with_totals.site_code,
        sites.site_name,
        sites.district_code,
        sites.district_name,
        with_totals.row_type,
        with_totals.venue_rank,
        with_totals.venue_name,
        initcap(with_totals.venue_name)                                     as venue_label,
        {{ published_count('with_totals.assaults', 'with_totals.is_suppressed', family='health') }}
                                                                            as assault_count,
        {{ published_rate_columns(
            'share_percent', 'with_totals.assaults', site_assaults_published, method='wilson', per=100,
            decimals=1, precision=5, withheld=share_withheld, family='health'
        ) }},
        with_totals.is_suppressed
    from with_totals
    inner join years
        on with_totals.financial_year = years.financial_year
    left join sites
        on with_totals.site_code = sites.site_code

)

select * from final
