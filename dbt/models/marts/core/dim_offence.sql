-- Offence dimension: every official Home Office offence classification (seed
-- home_office_offence_classifications, names as in the Counting Rules) and every police.uk crime
-- type of the partnership's definition, with the partnership's serious-violence flag (seed
-- serious_violence_definition, codes only) and the Home Office measures each code belongs to
-- (seed home_office_measure_codes).
with

official as (

    select * from {{ ref('home_office_offence_classifications') }}

),

definition as (

    select * from {{ ref('serious_violence_definition') }}

),

measure_codes as (

    select * from {{ ref('home_office_measure_codes') }} where code_type = 'ho_offence'

),

home_office as (

    select
        'ho_offence'                                    as code_type,
        trim(official.code)                             as offence_code,
        trim(official.offence_name)                     as offence_description,
        trim(official.police_uk_crime_type)             as police_uk_crime_type,
        trim(official.offence_group)                    as offence_group,
        trim(official.offence_subgroup)                 as offence_subgroup
    from official

),

police_uk as (

    select
        'police_uk'                                     as code_type,
        trim(code)                                      as offence_code,
        trim(code)                                      as offence_description,
        trim(code)                                      as police_uk_crime_type,
        cast(null as text)                              as offence_group,
        cast(null as text)                              as offence_subgroup
    from definition
    where code_type = 'police_uk'

),

offences as (

    select * from home_office
    union all
    select * from police_uk

),

final as (

    select
        offences.code_type || ':' || offences.offence_code  as offence_key,
        offences.code_type,
        offences.offence_code,
        offences.offence_description,
        offences.police_uk_crime_type,
        offences.offence_group,
        offences.offence_subgroup,
        coalesce(cast(definition.is_serious_violence as boolean), false) as is_serious_violence,
        homicide.code is not null                           as is_homicide,
        knife.code is not null                              as is_knife_crime_selected_offence,
        knife.offence_category                              as knife_crime_category,
        blade.code is not null                              as is_blade_or_point_possession,
        coalesce(offences.offence_subgroup = 'Violence with injury', false)
                                                            as is_violence_with_injury,
        coalesce(offences.offence_group = 'Sexual offences', false) as is_sexual_offence,
        coalesce(offences.offence_group, offences.police_uk_crime_type) = 'Robbery'
                                                            as is_robbery,
        -- a police.uk crime type has no Home Office group: its own name says it
        coalesce(offences.offence_group, offences.police_uk_crime_type)
            in ('Possession of weapons offences', 'Possession of weapons') as is_weapon_possession
    from offences
    left join definition
        on offences.code_type = trim(definition.code_type)
        and offences.offence_code = trim(definition.code)
    left join measure_codes as homicide
        on offences.code_type = 'ho_offence'
        and homicide.measure = 'homicide'
        and offences.offence_code = homicide.code
    left join measure_codes as knife
        on offences.code_type = 'ho_offence'
        and knife.measure = 'knife_enabled_serious_violence'
        and offences.offence_code = knife.code
    left join measure_codes as blade
        on offences.code_type = 'ho_offence'
        and blade.measure = 'blade_or_point_possession'
        and offences.offence_code = blade.code

)

select * from final
