-- Every Great Expectations result (svdw.quality writes audit.expectation_result), one row per
-- expectation per check; success included, so a dashboard can tell "checked and fine" from
-- "never checked".
with

source as (

    select * from {{ source('audit', 'expectation_result') }}

),

renamed as (

    select
        target_table,
        split_part(target_table, '.', 1)    as target_schema,
        batch_id,
        expectation,
        column_name,
        severity,
        success                             as is_success,
        unexpected_count,
        observed_value,
        run_at                              as checked_at

    from source

)

select * from renamed
