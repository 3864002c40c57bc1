-- School dimension: one row per school URN, from the GIAS extract, with its ward and district
-- (via dim_geography). URNs that facts use but the current GIAS snapshot lacks (a school closed
-- since) get a placeholder row, so every fact's school_urn has a dim_school row.
with

schools as (

    select * from {{ ref('stg_education__schools') }}

),

fact_urns as (

    select school_urn from {{ ref('stg_education__suspensions_exclusions') }}
    union
    select school_urn from {{ ref('stg_education__attendance') }}

),

geography as (

    -- keyed by every code a school may carry (2011 or 2021 LSOA), with its 2021 LSOA's chain
    select
        codes.lsoa_code as any_lsoa_code,
        located.ward_code, located.ward_name, located.district_code, located.district_name
    from {{ ref('int_lsoa_codes_mapped') }} as codes
    inner join {{ ref('dim_geography') }} as located
        on codes.lsoa21_code = located.lsoa_code

),

all_schools as (

    select
        school_urn, laestab, la_code, la_name, school_name, establishment_type,
        establishment_type_group, establishment_status, phase, statutory_low_age,
        statutory_high_age, number_of_pupils, school_postcode, lsoa_code,
        true as is_in_gias
    from schools

    union all

    select
        fact_urns.school_urn, null, null, null, null, null,
        null, null, null, null,
        null, null, null, null,
        false
    from fact_urns
    where fact_urns.school_urn not in (select school_urn from schools)

),

final as (

    select
        all_schools.school_urn,
        all_schools.laestab,
        all_schools.la_code,
        all_schools.la_name,
        coalesce(all_schools.school_name, 'Unknown school ' || all_schools.school_urn) as school_name,
        all_schools.establishment_type,
        all_schools.establishment_type_group,
        all_schools.establishment_status,
        all_schools.phase,
        coalesce(
            all_schools.phase in ('Secondary', 'Middle deemed secondary', 'All-through')
            or (all_schools.phase = 'Not applicable' and all_schools.statutory_high_age >= 14),
            false
        )                                                       as is_secondary,
        all_schools.establishment_type in (
            'Pupil referral unit', 'Academy alternative provision converter',
            'Academy alternative provision sponsor led', 'Free schools alternative provision'
        )                                                       as is_alternative_provision,
        all_schools.statutory_low_age,
        all_schools.statutory_high_age,
        all_schools.number_of_pupils,
        all_schools.school_postcode,
        all_schools.lsoa_code,
        geography.ward_code,
        geography.ward_name,
        geography.district_code,
        geography.district_name,
        all_schools.is_in_gias
    from all_schools
    left join geography
        on all_schools.lsoa_code = geography.any_lsoa_code

)

select * from final
