-- The probation caseload, one row per raw row, renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'probation__caseload') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as caseload_key,
        cast(caseload_month as date)           as caseload_month,
        person_key,
        cast(birth_year as integer)            as birth_year,
        cast(age_at_event as integer)          as age_at_sentence,
        cast(sentence_date as date)            as sentence_date,
        sentence_type,
        offence_group,
        rosh_level,
        knife_flag,
        cast(ogrs_score as numeric)            as ogrs_score,
        upper(nullif(trim(lsoa_code), ''))     as lsoa_code,
        cast(_batch_id as bigint)              as _batch_id,
        cast(_line_number as integer)          as _line_number

    from source

)

select * from renamed
