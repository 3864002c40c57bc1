-- Admitted patient care episodes for assault, one row per raw row (an episode), renamed and typed
-- once. Diagnosis codes are written without dot or filler ("X99.1", "X991", "X99-" are X991 and
-- X99), as HES's four-character DIAG_4 fields do.
with

source as (

    select * from {{ source('raw', 'health__hospital_admissions') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as admission_key,
        trim(spell_id)                             as spell_id,
        cast(episode_number as integer)            as episode_number,
        cast(admission_date as date)               as admission_date,
        cast(episode_end_date as date)             as episode_end_date,
        upper(trim(admission_method))              as admission_method,
        nullif(regexp_replace(upper(trim(diagnosis_01)), '[.-]', '', 'g'), '')  as diagnosis_01,
        nullif(regexp_replace(upper(trim(diagnosis_02)), '[.-]', '', 'g'), '')  as diagnosis_02,
        nullif(regexp_replace(upper(trim(diagnosis_03)), '[.-]', '', 'g'), '')  as diagnosis_03,
        nullif(regexp_replace(upper(trim(diagnosis_04)), '[.-]', '', 'g'), '')  as diagnosis_04,
        nullif(regexp_replace(upper(trim(diagnosis_05)), '[.-]', '', 'g'), '')  as diagnosis_05,
        nullif(regexp_replace(upper(trim(diagnosis_06)), '[.-]', '', 'g'), '')  as diagnosis_06,
        nullif(regexp_replace(upper(trim(diagnosis_07)), '[.-]', '', 'g'), '')  as diagnosis_07,
        nullif(regexp_replace(upper(trim(diagnosis_08)), '[.-]', '', 'g'), '')  as diagnosis_08,
        nullif(regexp_replace(upper(trim(diagnosis_09)), '[.-]', '', 'g'), '')  as diagnosis_09,
        nullif(regexp_replace(upper(trim(diagnosis_10)), '[.-]', '', 'g'), '')  as diagnosis_10,
        nullif(regexp_replace(upper(trim(diagnosis_11)), '[.-]', '', 'g'), '')  as diagnosis_11,
        nullif(regexp_replace(upper(trim(diagnosis_12)), '[.-]', '', 'g'), '')  as diagnosis_12,
        nullif(regexp_replace(upper(trim(diagnosis_13)), '[.-]', '', 'g'), '')  as diagnosis_13,
        nullif(regexp_replace(upper(trim(diagnosis_14)), '[.-]', '', 'g'), '')  as diagnosis_14,
        nullif(regexp_replace(upper(trim(diagnosis_15)), '[.-]', '', 'g'), '')  as diagnosis_15,
        nullif(regexp_replace(upper(trim(diagnosis_16)), '[.-]', '', 'g'), '')  as diagnosis_16,
        nullif(regexp_replace(upper(trim(diagnosis_17)), '[.-]', '', 'g'), '')  as diagnosis_17,
        nullif(regexp_replace(upper(trim(diagnosis_18)), '[.-]', '', 'g'), '')  as diagnosis_18,
        nullif(regexp_replace(upper(trim(diagnosis_19)), '[.-]', '', 'g'), '')  as diagnosis_19,
        nullif(regexp_replace(upper(trim(diagnosis_20)), '[.-]', '', 'g'), '')  as diagnosis_20,
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
