-- Files the loader saw, one row per file (loaded or rejected), with the batch's quality status.
with

source as (

    select * from {{ source('audit', 'load_batch') }}

),

renamed as (

    select
        batch_id,
        contract,
        file_name,
        status,
        quality_status,
        rows_read,
        rows_loaded,
        rows_quarantined,
        rows_superseded,
        finished_at as loaded_at

    from source

)

select * from renamed
