-- Workforce training fact: one row per course completion by a practitioner (one raw row).
with

training as (

    select * from {{ ref('stg_providers__workforce_training') }}

),

final as (

    select
        training_key,
        practitioner_key,
        organisation,
        sector,
        course,
        level,
        completed_date,
        hours,
        row_number() over (
            partition by practitioner_key order by completed_date, course, training_key
        )                                                   as practitioner_completion_number,
        _batch_id
    from training

)

select * from final
