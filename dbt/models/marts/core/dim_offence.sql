-- Offence dimension: one row per police.uk crime type and Home Office offence code, with the
-- partnership's own serious-violence definition (seed serious_violence_definition, edited by
-- the partnership).
with

definition as (

    select * from {{ ref('serious_violence_definition') }}

),

final as (

    select
        trim(code_type) || ':' || trim(code)                as offence_key,
        trim(code_type)                                     as code_type,
        trim(code)                                          as offence_code,
        trim(description)                                   as offence_description,
        trim(police_uk_crime_type)                          as police_uk_crime_type,
        trim(offence_group)                                 as offence_group,
        cast(is_serious_violence as boolean)                as is_serious_violence,
        cast(is_knife_or_sharp_object_enabled as boolean)   as is_knife_or_sharp_object_enabled,
        cast(is_homicide as boolean)                        as is_homicide,
        cast(is_violence_with_injury as boolean)            as is_violence_with_injury,
        cast(is_sexual_offence as boolean)                  as is_sexual_offence,
        cast(is_robbery as boolean)                         as is_robbery,
        cast(is_weapon_possession as boolean)               as is_weapon_possession
    from definition

)

select * from final
