-- police.uk street-level crime, one row per raw row, renamed and typed once.
with

source as (

    select * from {{ pinned_source('raw', 'police_uk__street_crimes') }}

),

renamed as (

    select
        md5(cast(_batch_id as text) || '-' || cast(_line_number as text)) as crime_key,
        nullif(trim(crime_id), '')                 as crime_id,
        cast(date_trunc('month', month) as date)   as month_start,
        nullif(trim(reported_by), '')              as reported_by,
        nullif(trim(falls_within), '')             as falls_within,
        nullif(trim(falls_within), '')             as force_name,
        cast(longitude as numeric(9, 6))           as longitude,
        cast(latitude as numeric(9, 6))            as latitude,
        nullif(trim(location), '')                 as location,
        upper(nullif(trim(lsoa_code), ''))         as lsoa_code,
        nullif(trim(lsoa_name), '')                as lsoa_name,
        trim(crime_type)                           as crime_type,
        nullif(trim(last_outcome_category), '')    as last_outcome_category,
        nullif(trim(context), '')                  as context,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
