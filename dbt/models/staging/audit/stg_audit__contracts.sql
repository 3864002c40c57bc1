-- The partner extracts the warehouse expects, with their delivery cadence; an optional one
-- (contract `optional: true`) is a feed a partnership may never have.
with

source as (

    select * from {{ source('audit', 'contract') }}

),

renamed as (

    select
        contract,
        title as contract_title,
        partner,
        cadence,
        target_table,
        overdue_after,
        optional as is_optional

    from source

)

select * from renamed
