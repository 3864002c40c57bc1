-- School exclusion fact: one row per suspension or permanent exclusion (one raw row), with the
-- DfE reason description, the census category and the pupil's home district.
with

exclusions as (

    select * from {{ ref('stg_education__suspensions_exclusions') }}

),

geography as (

    -- every LSOA code a record may carry (2011 or 2021), with its 2021 LSOA in the area
    select codes.lsoa_code as any_lsoa_code, located.lsoa_code, located.district_code
    from {{ ref('int_lsoa_codes_mapped') }} as codes
    inner join {{ ref('dim_geography') }} as located
        on codes.lsoa21_code = located.lsoa_code

),

age_bands as (

    select age_band, min_age, max_age from {{ ref('dim_age_band') }}

),

reasons (reason_code, reason_description, is_violence_related) as (

    values
        ('PP', 'Physical assault against a pupil', true),
        ('PA', 'Physical assault against an adult', true),
        ('VP', 'Verbal abuse or threatening behaviour against a pupil', true),
        ('VA', 'Verbal abuse or threatening behaviour against an adult', true),
        ('BU', 'Bullying', false),
        ('RA', 'Racist abuse', false),
        ('SM', 'Sexual misconduct', false),
        ('DA', 'Drug and alcohol related', false),
        ('DB', 'Persistent disruptive behaviour', false),
        ('DM', 'Damage', false),
        ('TH', 'Theft', false),
        ('MT', 'Inappropriate use of social media or online technology', false),
        ('WP', 'Use or threat of use of an offensive weapon or prohibited item', true),
        ('OW', 'Wilful and repeated transgression of protective measures', false),
        ('OT', 'Other', false)

),

final as (

    select
        exclusions.exclusion_key,
        exclusions.academic_year,
        exclusions.term,
        exclusions.pupil_key,
        exclusions.school_urn,
        exclusions.laestab,
        exclusions.category,
        case exclusions.category
            when 'PERM' then 'Permanent exclusion'
            when 'FIXD' then 'Suspension'
            when 'LUNC' then 'Lunchtime suspension'
        end                                                     as category_description,
        exclusions.category = 'PERM'                            as is_permanent,
        exclusions.start_date,
        exclusions.sessions,
        exclusions.reason_code,
        coalesce(reasons.reason_description, 'Unknown reason')  as reason_description,
        coalesce(reasons.is_violence_related, false)            as is_violence_related,
        exclusions.birth_year,
        exclusions.age_at_event,
        age_bands.age_band,
        exclusions.sex,
        exclusions.fsm_eligible,
        exclusions.sen_provision,
        exclusions.home_lsoa_code,
        {{ location_status('exclusions.home_lsoa_code', 'geography.lsoa_code') }} as home_location_status,
        geography.district_code                                 as home_district_code,
        exclusions._batch_id
    from exclusions
    left join reasons
        on exclusions.reason_code = reasons.reason_code
    left join geography
        on exclusions.home_lsoa_code = geography.any_lsoa_code
    left join age_bands
        on exclusions.age_at_event >= age_bands.min_age
        and (exclusions.age_at_event <= age_bands.max_age or age_bands.max_age is null)

)

select * from final
