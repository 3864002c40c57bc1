-- ED assault attendance fact: one row per ISTV (ISB 1594) attendance, anonymised as the standard
-- shares it. The patient columns (person, sex, age, home LSOA) come only from the optional
-- identifiable ED feed (its own legal basis), linked by site and arrival date and time where
-- that arrival is one attendance on each side; without the feed (or the link) they are NULL and
-- is_identified is false, so every figure by home area, age or person has no ED rows.
with

attendances as (

    select
        *,
        count(*) over (partition by site_code, arrival_date, arrival_time) as arrivals_at_time
    from {{ ref('stg_health__ed_assault_attendances') }}

),

identifiable as (

    select
        *,
        count(*) over (partition by site_code, arrival_date, arrival_time) as arrivals_at_time
    from {{ ref('stg_health__ed_attendances_identifiable') }}

),

-- one-to-one only: two arrivals in the same minute at one site cannot be told apart
linked as (

    select attendances.attendance_key, identifiable.*
    from attendances
    inner join identifiable
        on attendances.site_code = identifiable.site_code
        and attendances.arrival_date = identifiable.arrival_date
        and attendances.arrival_time = identifiable.arrival_time
    where attendances.arrivals_at_time = 1
        and identifiable.arrivals_at_time = 1

),

geography as (

    -- every LSOA code a record may carry (2011 or 2021), with its 2021 LSOA in the area
    select codes.lsoa_code as any_lsoa_code, located.lsoa_code, located.district_code
    from {{ ref('int_lsoa_codes_mapped') }} as codes
    inner join {{ ref('dim_geography') }} as located
        on codes.lsoa21_code = located.lsoa_code

),

people as (

    -- identifiers resolved to persons across sources: the person key is dim_person's
    select identifier_type, identifier_key, person_key from {{ ref('int_person_resolved') }}

),

age_bands as (

    select age_band, min_age, max_age, is_under_25 from {{ ref('dim_age_band') }}

),

final as (

    select
        attendances.attendance_key,
        attendances.site_code,
        attendances.arrival_date,
        attendances.arrival_time,
        attendances.assault_date,
        attendances.assault_time,
        attendances.assault_location_type,
        attendances.assault_method,
        attendances.assault_method = 'Sharp object/knife'             as is_sharp_object,
        linked.attendance_key is not null                             as is_identified,
        linked.attendance_id,
        people.person_key,
        linked.sex,
        linked.patient_age,
        age_bands.age_band,
        coalesce(age_bands.is_under_25, false)                        as is_under_25,
        geography.lsoa_code                                           as home_lsoa_code,
        linked.home_lsoa_code                                         as source_home_lsoa_code,
        geography.district_code                                       as home_district_code,
        attendances._batch_id
    from attendances
    left join linked
        on attendances.attendance_key = linked.attendance_key
    left join geography
        on linked.home_lsoa_code = geography.any_lsoa_code
    left join people
        on people.identifier_type = 'nhs'
        and linked.person_key = people.identifier_key
    left join age_bands
        on linked.patient_age >= age_bands.min_age
        and (age_bands.max_age is null or linked.patient_age <= age_bands.max_age)

)

select * from final
