-- Practitioners trained per financial year, course level and organisation (the partner or
-- provider that employs them), and for all organisations against the partnership's annual target
-- (seed workforce_training_targets). A practitioner counts once per level and year, however many
-- courses of that level they completed. Disclosure control (family providers): counts of 1-4
-- withheld, and within each year and level the cells that would reveal them from the total.

with

training as (

    select
        {{ financial_year('completed_date') }} as financial_year,
        level,
        organisation,
        practitioner_key,
        completed_date
    from {{ ref('fct_workforce_training') }}

),

years as (

    select
        financial_year,
        -- the year is still running (or the log ends before its March): progress, not outcome
        max(completed_date) < max({{ financial_year_start('completed_date') }}) + interval '1 year' - interval '1 month'
            as is_part_year
    from training
    group by financial_year

),

organisations as (

    select distinct organisation from training

),

levels as (

    select level from {{ ref('workforce_training_targets') }}
    union
    select distinct level from training

),

by_organisation as (

    select years.financial_year, levels.level, organisations.organisation,
        count(distinct training.practitioner_key) as practitioners
    from years
    cross join levels
    cross join organisations
    left join training
        on years.financial_year = training.financial_year
        and levels.level = training.level
        and organisations.organisation = training.organisation
    group by years.financial_year, levels.level, organisations.organisation

),

all_organisations as (

    select years.financial_year, levels.level, 'All organisations' as organisation,
        count(distinct training.practitioner_key) as practitioners
    from years
    cross join levels
    left join training
        on years.financial_year = training.financial_year
        and levels.level = training.level
    group by years.financial_year, levels.level

),

cells as (

    select *, false as is_all_organisations from by_organisation
    union all
    select *, true from all_organisations

),

protected as (

    {{ suppress_small_counts(
        'cells', 'practitioners',
        groupings=[['financial_year', 'level']],
        tiebreak=['organisation'], family='providers'
    ) }}

),

targeted as (

    select
        protected.*,
        case when protected.is_all_organisations then targets.annual_target_practitioners end
            as target_practitioners
    from protected
    left join {{ ref('workforce_training_targets') }} as targets
        on protected.level = targets.level

),

final as (

    select
        targeted.financial_year,
        years.is_part_year,
        targeted.level,
        targeted.organisation,
        targeted.is_all_organisations,
        {{ published_count('targeted.practitioners', 'targeted.is_suppressed', family='providers') }}
            as practitioners,
        cast(targeted.target_practitioners as integer) as target_practitioners,
        {{ published_rate_columns(
            'percent_of_target', 'targeted.practitioners', 'targeted.target_practitioners', per=100, decimals=1,
            withheld=['targeted.is_suppressed'], family='providers'
        ) }},
        targeted.is_suppressed
    from targeted
    inner join years
        on targeted.financial_year = years.financial_year

)

select * from final
