-- Admitted patient care spells for assault, one row per raw row, renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'health__hospital_admissions') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as admission_key,
        trim(spell_id)                             as spell_id,
        cast(admission_date as date)               as admission_date,
        upper(trim(admission_method))              as admission_method,
        upper(trim(primary_diagnosis))             as primary_diagnosis,
        upper(trim(external_cause))                as external_cause,
        cast(age_on_admission as integer)          as age_on_admission,
        case trim(sex) when '1' then 'M' when '2' then 'F' else 'U' end as sex,
        trim(sex)                                  as sex_code,
        upper(nullif(trim(home_lsoa_code), ''))    as home_lsoa_code,
        nullif(trim(person_key), '')               as person_key,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
