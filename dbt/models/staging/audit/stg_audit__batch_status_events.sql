-- Every change of a load batch's quality status: the gate's verdicts, people's accept and reject.
with

source as (

    select * from {{ source('audit', 'batch_status_event') }}

),

renamed as (

    select
        event_id,
        batch_id,
        status          as quality_status,
        reason,
        decided_by,
        decided_at,
        build_id

    from source

)

select * from renamed
