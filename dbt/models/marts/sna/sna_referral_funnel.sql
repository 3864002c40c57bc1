-- Referral funnel per financial year (of the referral date), referring agency and programme:
-- how many referrals reached each stage (referred, accepted, started, completed) and the
-- conversion between stages. A stage counts when the referral ever reached it (fct_referral's
-- first date at each status), so a referral that started and then disengaged counts as started.
-- Not broken down by district: the referral log carries no address, and a home district can be
-- found (through linked records, dim_person.home_district_code) for little more than half of the
-- people; year x agency x programme x district cells would be almost all below the suppression
-- threshold. Percents are of the previous stage (accepted of referred, started of accepted,
-- completed of started) plus completed of referred.
-- Disclosure control: each stage count (referrals are young people) through
-- suppress_small_counts with its own flag; percents need rate_minimum_events referrals.

{%- set stages = ['referred_count', 'accepted_count', 'started_count', 'completed_count'] %}

with

referrals as (

    select
        {{ financial_year('referral_date') }}           as financial_year,
        referral_source_agency_key                      as agency_key,
        programme_key,
        accepted_date is not null                       as is_accepted,
        started_date is not null                        as is_started,
        completed_date is not null                      as is_completed
    from {{ ref('fct_referral') }}
    where referral_source_agency_key is not null
        and programme_key is not null

),

years as (

    select distinct financial_year from referrals

),

agencies as (

    select agency_key, agency_name, agency_sector
    from {{ ref('dim_agency') }}
    where is_referral_source

),

programmes as (

    select programme_key, programme_name, tier
    from {{ ref('dim_programme') }}
    where programme_key in (select programme_key from referrals)

),

counted as (

    select
        financial_year,
        agency_key,
        programme_key,
        count(*)                                  as referred_count,
        count(*) filter (where is_accepted)       as accepted_count,
        count(*) filter (where is_started)        as started_count,
        count(*) filter (where is_completed)      as completed_count
    from referrals
    group by financial_year, agency_key, programme_key

),

-- every agency against every programme it could refer to, so that zeros show (and protect)
grid as (

    select
        years.financial_year,
        agencies.agency_key,
        programmes.programme_key,
        {% for stage in stages -%}
        coalesce(counted.{{ stage }}, 0) as {{ stage }}{{ ',' if not loop.last }}
        {% endfor %}
    from years
    cross join agencies
    cross join programmes
    left join counted
        on years.financial_year = counted.financial_year
        and agencies.agency_key = counted.agency_key
        and programmes.programme_key = counted.programme_key

),

protected as (

    {{ suppress_count_columns(
        'grid', stages,
        groupings=[['financial_year', 'programme_key'], ['financial_year', 'agency_key']],
        tiebreak=['agency_key', 'programme_key', 'financial_year'], family='providers'
    ) }}

),

visible as (

    select
        financial_year,
        agency_key,
        programme_key,
        {% for stage in stages -%}
        {{ published_count(stage, stage ~ '_is_suppressed', family='providers') }} as {{ stage }},
        {{ stage }}_is_suppressed{{ ',' if not loop.last }}
        {% endfor %}
    from protected

),

final as (

    select
        visible.financial_year,
        visible.agency_key,
        agencies.agency_name,
        agencies.agency_sector,
        visible.programme_key,
        programmes.programme_name,
        programmes.tier,
        visible.referred_count,
        visible.referred_count_is_suppressed,
        visible.accepted_count,
        visible.accepted_count_is_suppressed,
        visible.started_count,
        visible.started_count_is_suppressed,
        visible.completed_count,
        visible.completed_count_is_suppressed,
        {% for numerator, denominator in [
            ('accepted_count', 'referred_count'),
            ('started_count', 'accepted_count'),
            ('completed_count', 'started_count'),
            ('completed_count', 'referred_count')
        ] -%}
        {{ published_rate_columns(
            numerator | replace('_count', '') ~ '_of_' ~ denominator | replace('_count', '') ~ '_percent',
            'visible.' ~ numerator, 'visible.' ~ denominator, method='wilson', per=100, decimals=1, precision=5,
            family='providers'
        ) }}{{ ',' if not loop.last }}
        {% endfor %}
    from visible
    inner join agencies
        on visible.agency_key = agencies.agency_key
    inner join programmes
        on visible.programme_key = programmes.programme_key

)

select * from final
