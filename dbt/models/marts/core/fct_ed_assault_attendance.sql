-- ED assault attendance fact (ISTV, ISB 1594): one row per attendance.
with

attendances as (

    select * from {{ ref('stg_health__ed_assault_attendances') }}

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
        attendances.attendance_id,
        attendances.arrival_date,
        attendances.arrival_time,
        attendances.assault_date,
        attendances.assault_time,
        attendances.assault_location_type,
        attendances.primary_means_of_assault,
        attendances.primary_means_of_assault = 'Sharp object/knife'   as is_sharp_object,
        people.person_key,
        attendances.sex,
        attendances.patient_age,
        age_bands.age_band,
        coalesce(age_bands.is_under_25, false)                        as is_under_25,
        geography.lsoa_code                                           as home_lsoa_code,
        attendances.home_lsoa_code                                    as source_home_lsoa_code,
        geography.district_code                                       as home_district_code,
        attendances._batch_id
    from attendances
    left join geography
        on attendances.home_lsoa_code = geography.any_lsoa_code
    left join people
        on people.identifier_type = 'nhs'
        and attendances.person_key = people.identifier_key
    left join age_bands
        on attendances.patient_age >= age_bands.min_age
        and (age_bands.max_age is null or attendances.patient_age <= age_bands.max_age)

)

select * from final
