-- Balance of the matched comparison groups, one row per programme, design and covariate: written
-- by the evaluation engine (svdw.evaluation), which dbt does not run; see
-- programme_effect_estimates for why the model selects no rows. Means over groups only.
{{ config(materialized='incremental', schema='marts') }}

select
    cast(null as text)              as programme_name,
    cast(null as text)              as design,
    cast(null as text)              as covariate,
    cast(null as text)              as covariate_name,
    cast(null as double precision)  as participant_mean,
    cast(null as double precision)  as unmatched_mean,
    cast(null as double precision)  as matched_mean,
    cast(null as double precision)  as smd_before,
    cast(null as double precision)  as smd_after,
    cast(null as timestamptz)       as evaluated_at
where false
