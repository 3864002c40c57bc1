-- School attendance fact: one row per pupil per school per term (one raw row). Persistent
-- absence: 10% or more of possible sessions missed (authorised plus unauthorised), compared in
-- integers so that exactly 10% counts.
-- Incremental on its load batches (macros/incremental_batches.sql): a build re-reads only the
-- batches whose rows changed since this table last merged.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='_batch_id',
    on_schema_change='sync_all_columns',
    indexes=[{'columns': ['_batch_id']}, {'columns': ['academic_year', 'term']}],
    meta={'incremental_dimensions': []},
    pre_hook="{{ incremental_delete_changed_batches() }}",
    post_hook="{{ incremental_record_build() }}",
) }}
{%- set batches = incremental_batches(person_columns=[]) %}
with

attendance as (

    select * from {{ ref('stg_education__attendance') }}
    where {{ incremental_batch_filter(batches) }}

),

final as (

    select
        attendance_key,
        academic_year,
        term,
        pupil_key,
        school_urn,
        nc_year,
        nc_year in ('7', '8', '9', '10', '11')                          as is_secondary_year,
        sessions_possible,
        sessions_authorised_absence,
        sessions_unauthorised_absence,
        sessions_authorised_absence + sessions_unauthorised_absence     as sessions_missed,
        case
            when sessions_possible > 0 then round(
                (sessions_authorised_absence + sessions_unauthorised_absence)::numeric
                / sessions_possible, 4
            )
        end                                                             as absence_rate,
        sessions_possible > 0
            and (sessions_authorised_absence + sessions_unauthorised_absence) * 10
                >= sessions_possible                                    as is_persistent_absence,
        birth_year,
        sex,
        _batch_id
    from attendance

)

select * from final
