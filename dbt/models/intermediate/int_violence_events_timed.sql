-- Violence with a time of day, one row per event, from the three sources that record when it
-- happened, for the "When" models (sna_violence_hour_weekday and its siblings):
--   police_force  serious violence (the partnership's definition, dim_offence) in the force crime
--                 extract, once per crime, at the offence date and time, in the district and
--                 LSOA where it happened;
--   ed_assault    ISTV emergency-department assault attendances, at the assault date and time
--                 the patient gives (the arrival date and time when the patient cannot say), in
--                 the patient's home district (only from the optional identifiable ED feed: ISTV
--                 records no LSOA of the assault);
--   ambulance     999 call-outs coded as assault or penetrating trauma, at the call time, in the
--                 district and LSOA of the incident.
-- is_under_18: any victim or suspect of the crime under 18 (police), the patient under 18 (ED);
-- NULL where the source records no age (ambulance) or the age is unknown.
-- Events outside the partnership's districts (no district) are left out: they belong to no
-- board and no row-level security filter could show them.

-- A table: four sna models read it, each several times.
{{ config(materialized='table', schema='intermediate') }}

with

crimes as (

    select
        crime_reference,
        min(offence_at)                                             as event_at,
        min(district_code)                                          as district_code,
        min(lsoa_code)                                              as lsoa_code,
        bool_or(victim_age < 18 or suspect_age < 18)                as is_under_18
    from {{ ref('fct_police_force_crime') }}
    where is_serious_violence
        and district_code is not null
        and offence_at is not null
    group by crime_reference

),

attendances as (

    select
        attendance_key,
        coalesce(assault_date + assault_time, arrival_date + arrival_time) as event_at,
        assault_date is not null and assault_time is not null           as is_assault_time,
        home_district_code                                              as district_code,
        patient_age < 18                                                as is_under_18
    from {{ ref('fct_ed_assault_attendance') }}
    where home_district_code is not null

),

callouts as (

    select callout_key, call_at as event_at, district_code, lsoa_code
    from {{ ref('fct_ambulance_callout') }}
    where district_code is not null
        and call_at is not null

),

events as (

    select
        'police_force:' || crime_reference                          as event_key,
        'police_force'                                              as source,
        'police'                                                    as disclosure_family,
        event_at,
        true                                                        as is_event_time,
        district_code,
        lsoa_code,
        is_under_18
    from crimes

    union all

    select
        'ed_assault:' || attendance_key,
        'ed_assault',
        'health',
        event_at,
        is_assault_time,
        district_code,
        cast(null as text),
        is_under_18
    from attendances
    where event_at is not null

    union all

    select
        'ambulance:' || callout_key,
        'ambulance',
        'health',
        event_at,
        true,
        district_code,
        lsoa_code,
        cast(null as boolean)
    from callouts

),

final as (

    select
        event_key,
        source,
        disclosure_family,
        event_at,
        -- false for an ED attendance timed by its arrival (the patient gave no assault time)
        is_event_time,
        cast(event_at as date)                                      as event_date,
        cast(date_trunc('month', event_at) as date)                 as month_start,
        cast(extract(isodow from event_at) as integer)              as iso_day_of_week,
        cast(extract(hour from event_at) as integer)                as hour_of_day,
        district_code,
        lsoa_code,
        is_under_18
    from events

)

select * from final
