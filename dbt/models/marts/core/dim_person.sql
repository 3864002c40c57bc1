-- Person dimension: one row per resolved person (int_person_resolved: identifiers linked across
-- sources through the rows that carry two of them). Attributes from every sighting: sex, birth
-- year, the district of the latest recorded home LSOA and which sources saw the person.
-- Sex and birth year only; never a name, a date of birth or an identifier in clear.
with

resolved as (

    select identifier_type, identifier_key, person_key
    from {{ ref('int_person_resolved') }}

),

-- one row per person and source row (a row with two identifiers is one sighting, not two)
sightings as (

    select distinct
        resolved.person_key,
        identifiers.source_name,
        identifiers.source_row_key,
        identifiers.sex,
        identifiers.birth_year,
        identifiers.estimated_birth_year,
        identifiers.home_lsoa_code,
        identifiers.seen_on
    from {{ ref('int_person_identifiers') }} as identifiers
    inner join resolved
        on identifiers.identifier_type = resolved.identifier_type
        and identifiers.identifier_key = resolved.identifier_key

),

identifier_counts as (

    select
        person_key,
        count(*)                                                        as identifier_count,
        min(identifier_key) filter (where identifier_type = 'pnc')      as pnc_key,
        count(*) filter (where identifier_type = 'nhs')                 as health_identifier_count,
        count(*) filter (where identifier_type = 'upn')                 as upn_identifier_count,
        count(*) filter (where identifier_type = 'pnc')                 as pnc_identifier_count,
        count(*) filter (where identifier_type = 'police_nominal')      as police_nominal_identifier_count,
        count(*) filter (where identifier_type = 'yj_child')            as yj_child_identifier_count
    from resolved
    group by person_key

),

latest_home as (

    select distinct on (sightings.person_key)
        sightings.person_key,
        geography.district_code as home_district_code
    from sightings
    inner join {{ ref('int_lsoa_codes_mapped') }} as codes
        on sightings.home_lsoa_code = codes.lsoa_code
    inner join {{ ref('dim_geography') }} as geography
        on codes.lsoa21_code = geography.lsoa_code
    order by sightings.person_key, sightings.seen_on desc nulls last, sightings.source_name

),

summarised as (

    select
        person_key,
        -- the most often recorded known sex (M/F); U when never known
        coalesce(
            mode() within group (order by sex) filter (where sex in ('M', 'F')),
            'U'
        )                                                               as sex,
        coalesce(
            mode() within group (order by birth_year) filter (where birth_year is not null),
            min(estimated_birth_year)
        )                                                               as birth_year,
        -- estimated: no source gave a birth year, but a health record gave an age
        count(birth_year) = 0 and count(estimated_birth_year) > 0       as is_birth_year_estimated,
        min(seen_on)                                                    as first_seen_date,
        bool_or(source_name in ('police_victim', 'police_suspect'))     as is_known_to_police,
        bool_or(source_name = 'ed')                                     as is_known_to_ed,
        bool_or(source_name = 'admission')                              as is_known_to_admissions,
        bool_or(source_name = 'police_victim')                          as is_known_as_victim,
        bool_or(source_name = 'police_suspect')                         as is_known_as_suspect,
        bool_or(source_name = 'youth_justice')                          as is_known_to_youth_justice,
        bool_or(source_name in ('school_exclusion', 'school_attendance'))
                                                                        as is_known_to_education,
        bool_or(source_name = 'referral')                               as is_referred,
        bool_or(source_name = 'provision_session')                      as is_on_session_register
    from sightings
    group by person_key

),

final as (

    select
        summarised.person_key,
        summarised.sex,
        summarised.birth_year,
        summarised.is_birth_year_estimated,
        identifier_counts.pnc_key,
        summarised.first_seen_date,
        summarised.is_known_to_police,
        summarised.is_known_to_ed,
        summarised.is_known_to_admissions,
        summarised.is_known_as_victim,
        summarised.is_known_as_suspect,
        summarised.is_known_to_youth_justice,
        summarised.is_known_to_education,
        summarised.is_referred,
        summarised.is_on_session_register,
        (case when summarised.is_known_to_police then 1 else 0 end
            + case when summarised.is_known_to_ed or summarised.is_known_to_admissions
                then 1 else 0 end
            + case when summarised.is_known_to_youth_justice then 1 else 0 end
            + case when summarised.is_known_to_education then 1 else 0 end
            + case when summarised.is_referred or summarised.is_on_session_register
                then 1 else 0 end)                                      as linked_source_count,
        identifier_counts.identifier_count,
        identifier_counts.health_identifier_count,
        identifier_counts.upn_identifier_count,
        identifier_counts.pnc_identifier_count,
        identifier_counts.police_nominal_identifier_count,
        identifier_counts.yj_child_identifier_count,
        latest_home.home_district_code
    from summarised
    inner join identifier_counts
        on summarised.person_key = identifier_counts.person_key
    left join latest_home
        on summarised.person_key = latest_home.person_key

)

select * from final
