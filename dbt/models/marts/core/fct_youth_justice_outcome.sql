-- Youth justice outcome fact: one row per proven offence and its outcome (one raw row), with
-- first-time entry and 12-month reoffending derived per child (see the model's description).
with

outcomes as (

    select
        *,
        outcome_type in ('Youth Caution', 'Youth Conditional Caution')
            or outcome_tier in ('First-tier', 'Community', 'Custody') as is_formal_outcome
    from {{ ref('stg_youth_justice__offences_outcomes') }}

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

    select age_band, min_age, max_age from {{ ref('dim_age_band') }}

),

ranked as (

    select
        outcomes.*,
        case
            when is_formal_outcome then row_number() over (
                partition by child_key, is_formal_outcome
                order by outcome_date, offence_date, offence_id
            )
        end                                                 as formal_outcome_number,
        max(offence_date) over ()                           as latest_offence_date
    from outcomes

),

next_offence as (

    select
        ranked.offence_outcome_key,
        min(later.offence_date) as next_offence_date
    from ranked
    inner join outcomes as later
        on later.child_key = ranked.child_key
        and later.offence_date > ranked.outcome_date
    group by ranked.offence_outcome_key

),

final as (

    select
        ranked.offence_outcome_key,
        ranked.offence_id,
        ranked.reporting_quarter,
        people.person_key,
        ranked.child_key,
        ranked.pupil_key,
        ranked.pnc_key,
        ranked.birth_year,
        ranked.age_at_offence,
        age_bands.age_band,
        ranked.sex,
        ranked.ethnicity,
        ranked.offence_date,
        ranked.offence_description,
        ranked.offence_group,
        ranked.gravity_score,
        ranked.is_knife_or_weapon,
        ranked.outcome_date,
        ranked.outcome_type,
        ranked.outcome_tier,
        ranked.is_formal_outcome,
        coalesce(ranked.formal_outcome_number = 1, false)   as is_first_time_entrant,
        next_offence.next_offence_date,
        coalesce(
            next_offence.next_offence_date <= ranked.outcome_date + interval '12 months',
            false
        )                                                   as is_reoffended_within_12_months,
        ranked.outcome_date + interval '12 months' <= ranked.latest_offence_date
                                                            as has_full_reoffending_window,
        ranked.home_lsoa_code,
        {{ location_status('ranked.home_lsoa_code', 'geography.lsoa_code') }} as home_location_status,
        geography.district_code                             as home_district_code,
        ranked._batch_id
    from ranked
    left join next_offence
        on ranked.offence_outcome_key = next_offence.offence_outcome_key
    left join geography
        on ranked.home_lsoa_code = geography.any_lsoa_code
    left join people
        on people.identifier_type = 'yj_child'
        and ranked.child_key = people.identifier_key
    left join age_bands
        on ranked.age_at_offence >= age_bands.min_age
        and (ranked.age_at_offence <= age_bands.max_age or age_bands.max_age is null)

)

select * from final
