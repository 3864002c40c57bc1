-- What works: each programme's estimated effect on each outcome against a matched comparison
-- group (svdw.evaluation; docs/evaluation.md), beside the YEF Toolkit's evidence for its approach
-- and its cost. One row per programme, design and outcome.
-- Disclosure control: participant and comparison counts (people) under the providers' rule, one
-- programme per cell with secondary suppression across programmes; an estimate is withheld with
-- its programme's participant count. The naive before/after change is context only.
-- Cost per outcome avoided and the harm value avoided are shown only for a programme whose
-- interval shows a reduction: an estimate that could be zero has no outcome avoided to price.
with

estimates as (

    select * from {{ ref('programme_effect_estimates') }}

),

programme_counts as (

    select distinct programme_name, design, participant_count, comparison_count
    from estimates

),

protected_counts as (

    {{ suppress_count_columns(
        'programme_counts', ['participant_count', 'comparison_count'],
        groupings=[['design']], tiebreak=['programme_name'], family='providers'
    ) }}

),

balance as (

    select programme_name, design, max(abs(smd_after)) as max_abs_smd_after
    from {{ ref('programme_balance_estimates') }}
    group by programme_name, design

),

costs as (

    select
        programme_name,
        cost_unit,
        unit_cost_gbp * units_per_participant as cost_per_participant_gbp
    from {{ ref('programme_costs') }}

),

toolkit as (

    select approaches.programme_name, yef.*
    from {{ ref('programme_toolkit_approaches') }} as approaches
    inner join {{ ref('yef_toolkit') }} as yef
        on approaches.toolkit_approach = yef.toolkit_approach

),

harm as (

    select outcome.outcome_code, unit.crime_type, unit.unit_cost_gbp, unit.price_year
    from {{ ref('outcome_harm_costs') }} as outcome
    inner join {{ ref('home_office_unit_costs_of_crime') }} as unit
        on outcome.crime_type = unit.crime_type

),

outcome_order (outcome_code, outcome_sort_order) as (

    values
        ('police_contact', 1), ('youth_justice_outcome', 2), ('ed_assault_attendance', 3),
        ('school_exclusion', 4)

),

estimated as (

    select
        estimates.*,
        protected_counts.participant_count_is_suppressed,
        protected_counts.comparison_count_is_suppressed,
        -- outcomes the programme avoided: the participants' counterfactual after-count (their
        -- after-count undone by the estimated change) less what they had
        case
            when estimates.verdict = 'reduced' and not protected_counts.participant_count_is_suppressed
                then estimates.participant_after_count
                    * (100.0 / (100 + estimates.percent_change) - 1)
        end as outcomes_avoided
    from estimates
    inner join protected_counts
        on estimates.programme_name = protected_counts.programme_name
        and estimates.design = protected_counts.design

),

final as (

    select
        programmes.programme_key,
        estimated.programme_name,
        programmes.tier,
        estimated.design,
        estimated.outcome_code,
        estimated.outcome_name,
        coalesce(outcome_order.outcome_sort_order, 9)               as outcome_sort_order,
        estimated.window_months,
        {{ published_count(
            'estimated.participant_count', 'estimated.participant_count_is_suppressed',
            family='providers'
        ) }}                                                        as participant_count,
        estimated.participant_count_is_suppressed,
        {{ published_count(
            'estimated.comparison_count', 'estimated.comparison_count_is_suppressed',
            family='providers'
        ) }}                                                        as comparison_count,
        estimated.comparison_count_is_suppressed,
        {%- for column in [
            'percent_change', 'percent_change_lower_95', 'percent_change_upper_95',
            'naive_percent_change', 'naive_percent_change_lower_95',
            'naive_percent_change_upper_95'
        ] %}
        {%- set upper = ('naive_' if column.startswith('naive_') else '') ~ 'percent_change_upper_95' %}
        -- An interval reaching beyond +1,000% (a handful of events) bounds nothing and breaks the
        -- dashboards' number parsing (e+21): the estimate and its limits are published as NULL.
        case when not estimated.participant_count_is_suppressed
            and estimated.{{ upper }} <= 1000
            then round(cast(estimated.{{ column }} as numeric), 1) end as {{ column }},
        {%- endfor %}
        case when estimated.participant_count_is_suppressed then 'too few to tell'
            else estimated.verdict end                              as verdict,
        case when not estimated.participant_count_is_suppressed
            then round(cast(balance.max_abs_smd_after as numeric), 2) end
                                                                    as max_abs_smd_after,
        toolkit.toolkit_approach,
        toolkit.toolkit_impact,
        toolkit.toolkit_evidence_quality,
        toolkit.toolkit_url,
        toolkit.toolkit_recorded_on,
        costs.cost_unit,
        costs.cost_per_participant_gbp,
        round(cast(estimated.outcomes_avoided as numeric), 1)       as outcomes_avoided,
        round(cast(
            costs.cost_per_participant_gbp * estimated.participant_count
            / nullif(estimated.outcomes_avoided, 0) as numeric
        ), 0)                                                       as cost_per_outcome_avoided_gbp,
        harm.crime_type                                             as harm_crime_type,
        round(cast(estimated.outcomes_avoided * harm.unit_cost_gbp as numeric), 0)
                                                                    as harm_value_avoided_gbp,
        harm.price_year                                             as harm_price_year,
        estimated.evaluated_at
    from estimated
    left join {{ ref('dim_programme') }} as programmes
        on estimated.programme_name = programmes.programme_name
    left join outcome_order
        on estimated.outcome_code = outcome_order.outcome_code
    left join balance
        on estimated.programme_name = balance.programme_name
        and estimated.design = balance.design
    left join toolkit
        on estimated.programme_name = toolkit.programme_name
    left join costs
        on estimated.programme_name = costs.programme_name
    left join harm
        on estimated.outcome_code = harm.outcome_code

)

select * from final
