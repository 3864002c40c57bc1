-- The partner extracts the warehouse expects, with their delivery cadence.
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
        overdue_after

    from source

)

select * from renamed
