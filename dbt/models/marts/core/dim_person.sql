-- Person dimension: one row per pseudonymous person key seen in the police force extract (victims
-- and suspects: the force nominal id's keyed hash) or in ED attendances and hospital admissions
-- (the NHS number's keyed hash). Sex and birth year only; never a name or a date of birth.
with

force_crimes as (

    select * from {{ ref('stg_police__force_crimes') }}

),

sightings as (

    select
        victim_person_key   as person_key,
        victim_sex          as sex,
        victim_birth_year   as birth_year,
        cast(null as integer) as estimated_birth_year,
        cast(null as text)  as pnc_key,
        offence_date        as seen_on,
        'police'            as seen_by
    from force_crimes
    where victim_person_key is not null

    union all

    select
        suspect_person_key,
        suspect_sex,
        suspect_birth_year,
        null,
        suspect_pnc_key,
        offence_date,
        'police'
    from force_crimes
    where suspect_person_key is not null

    union all

    select
        person_key,
        sex,
        null,
        extract(year from arrival_date)::integer - patient_age,
        null,
        arrival_date,
        'ed'
    from {{ ref('stg_health__ed_assault_attendances') }}
    where person_key is not null

    union all

    select
        person_key,
        sex,
        null,
        extract(year from admission_date)::integer - age_on_admission,
        null,
        admission_date,
        'admission'
    from {{ ref('stg_health__hospital_admissions') }}
    where person_key is not null

),

final as (

    select
        person_key,
        -- the most often recorded known sex (M/F); U when never known
        coalesce(
            mode() within group (order by sex) filter (where sex in ('M', 'F')),
            'U'
        )                                                           as sex,
        coalesce(
            mode() within group (order by birth_year) filter (where birth_year is not null),
            min(estimated_birth_year)
        )                                                           as birth_year,
        count(birth_year) = 0                                       as is_birth_year_estimated,
        max(pnc_key)                                                as pnc_key,
        min(seen_on)                                                as first_seen_date,
        bool_or(seen_by = 'police')                                 as is_known_to_police,
        bool_or(seen_by = 'ed')                                     as is_known_to_ed,
        bool_or(seen_by = 'admission')                              as is_known_to_admissions
    from sightings
    group by person_key

)

select * from final
