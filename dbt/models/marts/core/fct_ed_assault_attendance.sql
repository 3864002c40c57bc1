-- ED assault attendance fact: one row per ISTV (ISB 1594) attendance, anonymised as the standard
-- shares it. The patient columns (person, sex, age, home LSOA) come only from the optional
-- identifiable ED feed (its own legal basis), linked by site and arrival date and time where
-- that arrival is one attendance on each side; without the feed (or the link) they are NULL and
-- is_identified is false, so every figure by home area, age or person has no ED rows.
-- Incremental on its load batches (macros/incremental_batches.sql): a build re-reads only the
-- batches whose rows changed since this table last merged, and the batches of the site and
-- arrival dates whose identifiable rows changed (the link is made per site and arrival date).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='_batch_id',
    on_schema_change='sync_all_columns',
    indexes=[{'columns': ['_batch_id']}, {'columns': ['site_code', 'arrival_date']}, {'columns': ['arrival_date']}],
    meta={'incremental_dimensions': ['int_lsoa_codes_mapped', 'dim_geography', 'dim_age_band']},
    pre_hook="{{ incremental_delete_changed_batches() }}",
    post_hook="{{ incremental_record_build() }}",
) }}
{%- set batches = incremental_batches(person_columns=['person_key']) %}
{%- if batches %}
    {%- set relinked -%}
        select distinct fact._batch_id from {{ this }} as fact
        where (fact.site_code, fact.arrival_date) in (
            select site_code, arrival_date from {{ ref('stg_health__ed_attendances_identifiable') }}
            where {{ incremental_batch_filter(batches) }}
        )
    {%- endset -%}
    {%- for batch_id in run_query(relinked).columns[0].values() %}
        {%- do batches.append(batch_id | int) %}
    {%- endfor %}
{%- endif %}
with

attendances as (

    select
        *,
        count(*) over (partition by site_code, arrival_date, arrival_time) as arrivals_at_time
    from {{ ref('stg_health__ed_assault_attendances') }}
    where {{ incremental_batch_filter(batches) }}

),

identifiable as (

    select
        *,
        count(*) over (partition by site_code, arrival_date, arrival_time) as arrivals_at_time
    from {{ ref('stg_health__ed_attendances_identifiable') }}
    {%- if batches is not none %}
    -- only the site and arrival dates of the attendances re-read (all of their rows, whatever
    -- their batch: the one-to-one check counts arrivals per site, date and time)
    where (site_code, arrival_date) in (
        select site_code, arrival_date from {{ ref('stg_health__ed_assault_attendances') }}
        where {{ incremental_batch_filter(batches) }}
    )
    {%- endif %}

),

-- one-to-one only: two arrivals in the same minute at one site cannot be told apart
linked as (

    select attendances.attendance_key, identifiable.*
    from attendances
    inner join identifiable
        on attendances.site_code = identifiable.site_code
        and attendances.arrival_date = identifiable.arrival_date
        and attendances.arrival_time = identifiable.arrival_time
    where attendances.arrivals_at_time = 1
        and identifiable.arrivals_at_time = 1

),

geography as (

    -- every LSOA code a record may carry (2011 or 2021), with its 2021 LSOA in the area
    select codes.lsoa_code as any_lsoa_code, located.lsoa_code, located.district_code
    from {{ ref('int_lsoa_codes_mapped') }} as codes
    inner join {{ ref('dim_geography') }} as located
        on codes.lsoa21_code = located.lsoa_code

),

people as (

    -- identifiers resolved to persons across sources: the person key is dim_person's
    select identifier_type, identifier_key, person_key from {{ ref('int_person_resolved') }}

),

age_bands as (

    select age_band, min_age, max_age, is_under_25 from {{ ref('dim_age_band') }}

),

final as (

    select
        attendances.attendance_key,
        attendances.site_code,
        attendances.arrival_date,
        attendances.arrival_time,
        attendances.assault_date,
        attendances.assault_time,
        attendances.assault_location_type,
        attendances.assault_method,
        attendances.assault_method = 'Sharp object/knife'             as is_sharp_object,
        linked.attendance_key is not null                             as is_identified,
        linked.attendance_id,
        people.person_key,
        linked.sex,
        linked.patient_age,
        age_bands.age_band,
        coalesce(age_bands.is_under_25, false)                        as is_under_25,
        geography.lsoa_code                                           as home_lsoa_code,
        linked.home_lsoa_code                                         as source_home_lsoa_code,
        geography.district_code                                       as home_district_code,
        attendances._batch_id
    from attendances
    left join linked
        on attendances.attendance_key = linked.attendance_key
    left join geography
        on linked.home_lsoa_code = geography.any_lsoa_code
    left join people
        on people.identifier_type = 'nhs'
        and linked.person_key = people.identifier_key
    left join age_bands
        on linked.patient_age >= age_bands.min_age
        and (age_bands.max_age is null or linked.patient_age <= age_bands.max_age)

)

select * from final
