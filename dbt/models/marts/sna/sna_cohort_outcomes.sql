-- Linked cohort outcomes: for the young people referred to each programme in a financial year,
-- the share with police contact (as suspect, as victim), a youth justice outcome and an ED
-- assault attendance in the 12 months before and the 12 months after the referral.
--
-- Cohort: each person's first referral to the programme in the financial year (person_key from
-- dim_person, so a referral's NHS number reaches the police and youth justice records through
-- the identifiers linked in int_person_resolved).
-- Windows: before = [referral_date - 12 months, referral_date), after = (referral_date,
-- referral_date + 12 months]; an event on the referral date itself is in neither.
-- Complete follow-up only: a referral stays out until referral_date + 12 months <= the data-end
-- date, the earliest of the latest event dates of the three outcome facts (police force crimes,
-- youth justice outcomes, ED attendances), so every source covers the whole after-window. The
-- before-window is not checked: referrals in the first year of data have a shorter look-back.
-- Disclosure control: cohort_count and outcome_person_count are counts of people, each through
-- suppress_small_counts with its own flag; percents need rate_minimum_events people. A cohort is
-- counted under the providers' rule, an outcome under its source's (police, youth justice, and
-- health for ED attendances: 1-7 withheld, rounded to 5).
{%- set outcome_family -%}
case outcome_code
    when 'ed_assault_attendance' then 'health'
    when 'youth_justice_outcome' then 'youth_justice'
    else 'police'
end
{%- endset %}

with

referrals as (

    select
        person_key,
        programme_key,
        referral_date,
        {{ financial_year('referral_date') }} as financial_year
    from {{ ref('fct_referral') }}
    where person_key is not null
        and programme_key is not null

),

-- a person referred twice to a programme in a year counts once, from the first referral
first_referrals as (

    select distinct on (financial_year, programme_key, person_key)
        financial_year, programme_key, person_key, referral_date
    from referrals
    order by financial_year, programme_key, person_key, referral_date

),

events as (

    select 'police_suspect' as outcome_code, suspect_person_key as person_key,
        offence_date as event_date
    from {{ ref('fct_police_force_crime') }}
    where suspect_person_key is not null

    union all

    select 'police_victim', victim_person_key, offence_date
    from {{ ref('fct_police_force_crime') }}
    where victim_person_key is not null

    union all

    select 'youth_justice_outcome', person_key, outcome_date
    from {{ ref('fct_youth_justice_outcome') }}
    where person_key is not null

    union all

    -- ED attendances link to people only through the optional identifiable ED feed
    select 'ed_assault_attendance', person_key, arrival_date
    from {{ ref('fct_ed_assault_attendance') }}
    where is_identified
        and person_key is not null

),

data_end as (

    select least(
        (select max(offence_date) from {{ ref('fct_police_force_crime') }}),
        (select max(outcome_date) from {{ ref('fct_youth_justice_outcome') }}),
        -- NULL without the identifiable ED feed, which least() skips
        (select max(arrival_date) from {{ ref('fct_ed_assault_attendance') }} where is_identified)
    ) as data_end_date

),

cohort as (

    select first_referrals.*, data_end.data_end_date
    from first_referrals
    cross join data_end
    where first_referrals.referral_date + interval '12 months' <= data_end.data_end_date

),

listed_outcomes (outcome_code, outcome_name, outcome_sort_order) as (

    values
        ('police_suspect', 'Police contact as a suspect', 1),
        ('police_victim', 'Police contact as a victim', 2),
        ('youth_justice_outcome', 'Youth justice outcome', 3),
        ('ed_assault_attendance', 'ED attendance for assault', 4)

),

-- the ED outcome needs the optional identifiable ED feed (ISTV is anonymised): without any
-- identified attendance it is left out rather than shown as nobody
outcomes as (

    select listed_outcomes.*
    from listed_outcomes
    where listed_outcomes.outcome_code <> 'ed_assault_attendance'
        or exists (select 1 from {{ ref('fct_ed_assault_attendance') }} where is_identified)

),

windows (outcome_window, outcome_window_sort_order) as (

    values ('before', 1), ('after', 2)

),

person_outcomes as (

    select
        cohort.financial_year,
        cohort.programme_key,
        cohort.person_key,
        outcomes.outcome_code,
        coalesce(bool_or(
            events.event_date >= cohort.referral_date - interval '12 months'
            and events.event_date < cohort.referral_date
        ), false) as has_before,
        coalesce(bool_or(
            events.event_date > cohort.referral_date
            and events.event_date <= cohort.referral_date + interval '12 months'
        ), false) as has_after
    from cohort
    cross join outcomes
    left join events
        on cohort.person_key = events.person_key
        and outcomes.outcome_code = events.outcome_code
    group by cohort.financial_year, cohort.programme_key, cohort.person_key, outcomes.outcome_code

),

cohort_sizes as (

    select financial_year, programme_key, count(*) as cohort_count
    from cohort
    group by financial_year, programme_key

),

protected_cohorts as (

    {{ suppress_small_counts(
        'cohort_sizes', 'cohort_count',
        groupings=[['financial_year'], ['programme_key']],
        tiebreak=['programme_key', 'financial_year'], family='providers'
    ) }}

),

outcome_counts as (

    select
        cohort_sizes.financial_year,
        cohort_sizes.programme_key,
        outcomes.outcome_code,
        windows.outcome_window,
        count(person_outcomes.person_key) filter (
            where (windows.outcome_window = 'before' and person_outcomes.has_before)
                or (windows.outcome_window = 'after' and person_outcomes.has_after)
        ) as outcome_person_count
    from cohort_sizes
    cross join outcomes
    cross join windows
    left join person_outcomes
        on cohort_sizes.financial_year = person_outcomes.financial_year
        and cohort_sizes.programme_key = person_outcomes.programme_key
        and outcomes.outcome_code = person_outcomes.outcome_code
    group by cohort_sizes.financial_year, cohort_sizes.programme_key,
        outcomes.outcome_code, windows.outcome_window

),

protected_outcomes as (

    {{ suppress_small_counts(
        '(select outcome_counts.*, ' ~ outcome_family ~ ' as disclosure_family from outcome_counts)',
        'outcome_person_count', family_column='disclosure_family',
        groupings=[
            ['financial_year', 'outcome_code', 'outcome_window'],
            ['programme_key', 'outcome_code', 'outcome_window']
        ],
        tiebreak=['programme_key', 'financial_year', 'outcome_code', 'outcome_window']
    ) }}

),

final as (

    select
        protected_outcomes.financial_year,
        protected_outcomes.programme_key,
        programmes.programme_name,
        programmes.tier,
        protected_outcomes.outcome_code,
        outcomes.outcome_name,
        outcomes.outcome_sort_order,
        protected_outcomes.outcome_window,
        windows.outcome_window_sort_order,
        {{ published_count(
            'protected_cohorts.cohort_count', 'protected_cohorts.is_suppressed', family='providers'
        ) }}                                                        as cohort_count,
        protected_cohorts.is_suppressed                             as cohort_count_is_suppressed,
        protected_outcomes.disclosure_family,
        {{ published_count(
            'protected_outcomes.outcome_person_count', 'protected_outcomes.is_suppressed',
            family_column='protected_outcomes.disclosure_family'
        ) }}                                                        as outcome_person_count,
        protected_outcomes.is_suppressed                            as outcome_person_count_is_suppressed,
        {{ published_rate_columns(
            'outcome_percent', 'protected_outcomes.outcome_person_count', 'protected_cohorts.cohort_count',
            per=100, decimals=1, precision=5,
            withheld=['protected_outcomes.is_suppressed', 'protected_cohorts.is_suppressed'],
            family_column='protected_outcomes.disclosure_family', method='wilson'
        ) }},
        data_end.data_end_date
    from protected_outcomes
    inner join protected_cohorts
        on protected_outcomes.financial_year = protected_cohorts.financial_year
        and protected_outcomes.programme_key = protected_cohorts.programme_key
    inner join outcomes
        on protected_outcomes.outcome_code = outcomes.outcome_code
    inner join windows
        on protected_outcomes.outcome_window = windows.outcome_window
    left join {{ ref('dim_programme') }} as programmes
        on protected_outcomes.programme_key = programmes.programme_key
    cross join data_end

)

select * from final
