-- Person identifier sightings: one row per pseudonymous identifier on a source row, with what
-- that row says about the person (sex, birth year, home LSOA, date). Identifiers seen together on
-- one row (a youth justice case with UPN and PNC id, a referral with NHS number and UPN, a police
-- suspect with nominal id and PNC id) belong to one person: int_person_resolved links them.
-- Identifier types are kept apart (`nhs:<hash>` never meets `upn:<hash>`), although the keyed
-- hashes of different identifier kinds could not collide in practice.
{{ config(materialized='table', schema='intermediate') }}

with

force_crimes as (

    select * from {{ ref('stg_police__force_crimes') }}

),

rows_with_identifiers as (

    -- a crime row holds two people: the victim and the suspect are separate source rows here
    select
        'police_victim'                             as source_name,
        force_crime_key || ':victim'                as source_row_key,
        victim_person_key                           as nominal_key,
        cast(null as text)                          as pnc_key,
        cast(null as text)                          as upn_key,
        cast(null as text)                          as nhs_key,
        cast(null as text)                          as yj_child_key,
        victim_sex                                  as sex,
        victim_birth_year                           as birth_year,
        cast(null as integer)                       as estimated_birth_year,
        cast(null as text)                          as home_lsoa_code,
        offence_date                                as seen_on
    from force_crimes

    union all

    select
        'police_suspect', force_crime_key || ':suspect', suspect_person_key, suspect_pnc_key,
        null, null, null, suspect_sex, suspect_birth_year, null, null, offence_date
    from force_crimes

    union all

    select
        'youth_justice', offence_outcome_key, null, pnc_key, pupil_key, null, child_key,
        case sex when 'Male' then 'M' when 'Female' then 'F' else 'U' end,
        birth_year, null, home_lsoa_code, offence_date
    from {{ ref('stg_youth_justice__offences_outcomes') }}

    union all

    select
        'referral', referral_status_key, null, null, pupil_key, person_key, null,
        case sex when 'Male' then 'M' when 'Female' then 'F' else 'U' end,
        birth_year, null, null, referral_date
    from {{ ref('stg_providers__referrals') }}

    union all

    select
        'provision_session', session_attendance_key, null, null, null, participant_key, null,
        'U', null, null, null, session_date
    from {{ ref('stg_providers__sessions_attendance') }}

    union all

    select
        'school_exclusion', exclusion_key, null, null, pupil_key, null, null,
        coalesce(sex, 'U'), birth_year, null, home_lsoa_code, start_date
    from {{ ref('stg_education__suspensions_exclusions') }}

    union all

    -- attendance rows carry an academic year, not a date: no seen_on
    select
        'school_attendance', attendance_key, null, null, pupil_key, null, null,
        coalesce(sex, 'U'), birth_year, null, null, null
    from {{ ref('stg_education__attendance') }}

    union all

    -- health gives an age, not a birth year: the estimate may be one year late. ED rows come
    -- from the optional identifiable ED feed only (its own legal basis; ISTV is anonymised):
    -- without it, ED attendances link to no one
    select
        'ed', identifiable_attendance_key, null, null, null, person_key, null,
        sex, null, extract(year from arrival_date)::integer - patient_age, home_lsoa_code,
        arrival_date
    from {{ ref('stg_health__ed_attendances_identifiable') }}

    union all

    select
        'admission', admission_key, null, null, null, person_key, null,
        sex, null, extract(year from admission_date)::integer - age_on_admission,
        home_lsoa_code, admission_date
    from {{ ref('stg_health__hospital_admissions') }}

),

final as (

    select
        rows_with_identifiers.source_name,
        rows_with_identifiers.source_row_key,
        identifiers.identifier_type,
        identifiers.identifier_key,
        identifiers.identifier_type || ':' || identifiers.identifier_key as identifier_node,
        coalesce(rows_with_identifiers.sex, 'U')                         as sex,
        rows_with_identifiers.birth_year,
        rows_with_identifiers.estimated_birth_year,
        rows_with_identifiers.home_lsoa_code,
        rows_with_identifiers.seen_on
    from rows_with_identifiers
    cross join lateral (
        values
            ('police_nominal', rows_with_identifiers.nominal_key),
            ('pnc', rows_with_identifiers.pnc_key),
            ('upn', rows_with_identifiers.upn_key),
            ('nhs', rows_with_identifiers.nhs_key),
            ('yj_child', rows_with_identifiers.yj_child_key)
    ) as identifiers (identifier_type, identifier_key)
    where identifiers.identifier_key is not null

)

select * from final
