-- Who repeats, one row per resolved person (int_person_resolved / dim_person) seen as a victim or
-- as a suspect/offender of violence in the latest 12 months. Person-level: an intermediate
-- model for the sna aggregate (sna_repeat_people), never published as it is.
--   Victim occasions: a force crime where the person is a victim (fct_police_force_crime, the
--     offence date), an ED assault attendance linked to the person (fct_ed_assault_attendance,
--     the assault date; needs the identifiable ED feed).
--   Suspect/offender occasions: a force crime where the person is a suspect; a youth justice
--     offence of violence, robbery, a sexual offence or weapons (fct_youth_justice_outcome).
-- An occasion is a distinct day per role: the crime, the ED attendance for it and the youth
-- justice case for it are one occasion, not three (so linkage across sources cannot make a
-- repeat of one incident). Repeat: 2 or more occasions in the window (Home Office / College of
-- Policing: "a victim of crime more than once in 12 months"; docs/definitions.md).
-- The window: the 12 calendar months ending with the latest month of any occasion.
{{ config(materialized='table', schema='intermediate') }}

with

force_crimes as (

    select offence_date, district_code, victim_person_key, suspect_person_key
    from {{ ref('fct_police_force_crime') }}

),

occasions as (

    select victim_person_key as person_key, 'victim' as role, 'police' as source_name,
        offence_date as occasion_date, district_code
    from force_crimes
    where victim_person_key is not null

    union all

    select person_key, 'victim', 'health', assault_date, home_district_code
    from {{ ref('fct_ed_assault_attendance') }}
    where person_key is not null

    union all

    select suspect_person_key, 'offender', 'police', offence_date, district_code
    from force_crimes
    where suspect_person_key is not null

    union all

    select person_key, 'offender', 'youth_justice', offence_date, home_district_code
    from {{ ref('fct_youth_justice_outcome') }}
    where person_key is not null
        and (
            is_knife_or_weapon
            or offence_group in (
                'Violence against the person', 'Robbery', 'Sexual offences', 'Possession of weapons'
            )
        )

),

occasion_months as (

    select cast(date_trunc('month', occasion_date) as date) as month_start from occasions

),

period as (

    {{ latest_12_months_period('occasion_months') }}

),

in_window as (

    select occasions.*, period.period_start, period.period_end
    from occasions
    cross join period
    where occasions.occasion_date >= period.period_start
        and occasions.occasion_date < period.period_end + interval '1 month'

),

per_person as (

    select
        person_key,
        min(period_start)                                                   as window_start,
        cast(min(period_end) + interval '1 month - 1 day' as date)         as window_end,
        count(distinct occasion_date) filter (where role = 'victim')       as victim_occasions,
        count(distinct occasion_date) filter (where role = 'offender')     as offender_occasions,
        bool_or(source_name = 'police')                                     as is_seen_by_police,
        bool_or(source_name = 'health')                                     as is_seen_by_health,
        bool_or(source_name = 'youth_justice')                              as is_seen_by_youth_justice,
        -- the district of the latest occasion (the home district where the source gives one)
        (array_agg(district_code order by occasion_date desc, source_name, role)
            filter (where district_code is not null))[1]                   as latest_occasion_district_code
    from in_window
    group by person_key

),

final as (

    select
        per_person.person_key,
        per_person.window_start,
        per_person.window_end,
        per_person.victim_occasions,
        per_person.offender_occasions,
        per_person.victim_occasions >= 2                                    as is_repeat_victim,
        per_person.offender_occasions >= 2                                  as is_repeat_suspect,
        per_person.victim_occasions >= 1 and per_person.offender_occasions >= 1
                                                                            as is_victim_offender,
        per_person.is_seen_by_police,
        per_person.is_seen_by_health,
        per_person.is_seen_by_youth_justice,
        coalesce(people.sex, 'U')                                           as sex,
        extract(year from per_person.window_end)::integer - people.birth_year
                                                                            as age_at_window_end,
        age_bands.age_band,
        -- home district where any source recorded one, else where the latest occasion was
        coalesce(people.home_district_code, per_person.latest_occasion_district_code)
                                                                            as district_code
    from per_person
    left join {{ ref('dim_person') }} as people
        on per_person.person_key = people.person_key
    left join {{ ref('dim_age_band') }} as age_bands
        on extract(year from per_person.window_end)::integer - people.birth_year >= age_bands.min_age
        and (
            age_bands.max_age is null
            or extract(year from per_person.window_end)::integer - people.birth_year <= age_bands.max_age
        )

)

select * from final
