-- Action plan tracker snapshots, one row per action per snapshot (raw row), renamed and typed once.
-- The free-text update is kept verbatim (it may start with =, +, - or @: never evaluated).
with

source as (

    select * from {{ pinned_source('raw', 'partnership__action_plan') }}

),

renamed as (

    select
        md5(trim(action_id) || '-' || cast(snapshot_date as text)) as action_status_key,
        cast(snapshot_date as date)                as snapshot_date,
        trim(action_id)                            as action_id,
        trim(theme)                                as theme,
        trim(tier)                                 as tier,
        trim(action)                               as action,
        trim(owner_agency)                         as owner_agency,
        nullif(trim(indicator), '')                as indicator,
        cast(target_date as date)                  as target_date,
        trim(rag)                                  as rag,
        update_text                                as update_text,
        cast(_batch_id as bigint)                  as _batch_id,
        cast(_line_number as integer)              as _line_number

    from source

)

select * from renamed
