-- Programme evaluation estimates, one row per programme, design and outcome: written by the
-- evaluation engine (svdw.evaluation, `svdw evaluate`), not by this model. dbt owns the table's
-- shape only: each build adds no rows (incremental, `where false`), so the engine's latest
-- results survive every build; a full refresh empties the table until the next evaluation.
-- Aggregates only (counts of people and events, estimates): no person-level row.
{{ config(materialized='incremental', schema='marts') }}

select
    cast(null as text)              as programme_name,
    cast(null as text)              as design,
    cast(null as text)              as outcome_code,
    cast(null as text)              as outcome_name,
    cast(null as integer)           as participant_count,
    cast(null as integer)           as unmatched_participant_count,
    cast(null as integer)           as comparison_count,
    cast(null as integer)           as participant_before_count,
    cast(null as integer)           as participant_after_count,
    cast(null as double precision)  as percent_change,
    cast(null as double precision)  as percent_change_lower_95,
    cast(null as double precision)  as percent_change_upper_95,
    cast(null as double precision)  as naive_percent_change,
    cast(null as double precision)  as naive_percent_change_lower_95,
    cast(null as double precision)  as naive_percent_change_upper_95,
    cast(null as text)              as verdict,
    cast(null as integer)           as window_months,
    cast(null as timestamptz)       as evaluated_at
where false
