-- Referral fact: one row per referral (the log has one row per status event), with the date it
-- reached each stage, its latest status and how many days each step took.
with

events as (

    select
        *,
        case status
            when 'Received' then 1 when 'Assessed' then 2 when 'Accepted' then 3
            when 'Declined' then 3 when 'Started' then 4 when 'Completed' then 5
            when 'Disengaged' then 5
        end as stage_rank
    from {{ ref('stg_providers__referrals') }}

),

latest as (

    select distinct on (referral_id)
        referral_id, referral_date, referral_source, programme, person_key, pupil_key,
        birth_year, age_at_referral, sex, status as latest_status, status_date as latest_status_date
    from events
    order by referral_id, status_date desc, stage_rank desc

),

stages as (

    select
        referral_id,
        min(status_date) filter (where status = 'Received')   as received_date,
        min(status_date) filter (where status = 'Assessed')   as assessed_date,
        min(status_date) filter (where status = 'Accepted')   as accepted_date,
        min(status_date) filter (where status = 'Declined')   as declined_date,
        min(status_date) filter (where status = 'Started')    as started_date,
        min(status_date) filter (where status = 'Completed')  as completed_date,
        min(status_date) filter (where status = 'Disengaged') as disengaged_date,
        count(*)                                              as status_event_count
    from events
    group by referral_id

),

programmes as (

    select programme_key, programme_name from {{ ref('dim_programme') }}

),

agencies as (

    select agency_key, agency_name from {{ ref('dim_agency') }}

),

people as (

    -- identifiers resolved to persons across sources: the person key is dim_person's
    select identifier_type, identifier_key, person_key from {{ ref('int_person_resolved') }}

),

age_bands as (

    select age_band, min_age, max_age from {{ ref('dim_age_band') }}

),

final as (

    select
        latest.referral_id,
        latest.referral_date,
        latest.referral_source,
        agencies.agency_key                                   as referral_source_agency_key,
        latest.programme                                      as programme_name,
        programmes.programme_key,
        coalesce(by_nhs.person_key, by_upn.person_key)        as person_key,
        latest.pupil_key,
        latest.birth_year,
        latest.age_at_referral,
        age_bands.age_band,
        latest.sex,
        stages.received_date,
        stages.assessed_date,
        stages.accepted_date,
        stages.declined_date,
        stages.started_date,
        stages.completed_date,
        stages.disengaged_date,
        latest.latest_status,
        latest.latest_status_date,
        case
            when latest.latest_status in ('Declined', 'Completed', 'Disengaged')
                then latest.latest_status
            else 'Open'
        end                                                   as referral_outcome,
        stages.started_date is not null                       as is_started,
        stages.started_date - latest.referral_date            as days_referral_to_start,
        stages.status_event_count
    from latest
    inner join stages
        on latest.referral_id = stages.referral_id
    left join programmes
        on latest.programme = programmes.programme_name
    left join agencies
        on latest.referral_source = agencies.agency_name
    left join people as by_nhs
        on by_nhs.identifier_type = 'nhs'
        and latest.person_key = by_nhs.identifier_key
    left join people as by_upn
        on by_upn.identifier_type = 'upn'
        and latest.pupil_key = by_upn.identifier_key
    left join age_bands
        on latest.age_at_referral >= age_bands.min_age
        and (latest.age_at_referral <= age_bands.max_age or age_bands.max_age is null)

)

select * from final
