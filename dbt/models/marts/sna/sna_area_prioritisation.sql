-- Area prioritisation index, as the London VRU's tool builds it: over the latest 12 months of
-- police.uk data, each LSOA scores an indicator's weight (seed prioritisation_indicators, edited
-- by the partnership) when it is in the top var('prioritisation_top_percent') (15) per cent of
-- the partnership's LSOAs on that indicator; the total ranks the areas. Scoring uses the true
-- values; the published rates follow disclosure control (NULL on fewer than rate_minimum_events
-- events, and the violence rate also where sna_violence_lsoa_latest_12_months withholds the
-- count), so no count is published here.
{%- set top_share = (var('prioritisation_top_percent', 15) | float) / 100 %}
{%- set rated = ['violence', 'knife_violence', 'ed_assault', 'youth_violence'] %}

with

period as (

    {{ latest_12_months_period(ref('fct_police_crime')) }}

),

population as (

    -- residents of each LSOA in the year of the period's latest month
    {{ area_population(ref('int_population_by_area'), 'lsoa') }}

),

geography as (

    select
        areas.lsoa_code,
        areas.lsoa_name,
        areas.ward_code,
        areas.ward_name,
        areas.district_code,
        areas.district_name,
        areas.imd_rank,
        areas.imd_decile,
        population.population
    from {{ ref('dim_geography') }} as areas
    cross join period
    left join population
        on areas.lsoa_code = population.area_code
        and to_char(period.period_end, 'YYYY') = population.period

),

weights as (

    select
        {%- for indicator in rated + ['deprivation'] %}
        coalesce(max(weight) filter (where trim(indicator) = '{{ indicator }}'), 0) as {{ indicator }}_weight
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ ref('prioritisation_indicators') }}

),

violence as (

    select crimes.lsoa_code, count(*) as events
    from {{ ref('fct_police_crime') }} as crimes
    cross join period
    where crimes.is_violence_and_sexual
        and crimes.month_start between period.period_start and period.period_end
    group by crimes.lsoa_code

),

force_crimes as (

    select crimes.*
    from {{ ref('fct_police_force_crime') }} as crimes
    cross join period
    where crimes.is_first_row_of_crime
        and crimes.is_serious_violence
        and cast(date_trunc('month', crimes.recorded_date) as date)
            between period.period_start and period.period_end

),

knife_violence as (

    select lsoa_code, count(*) as events
    from force_crimes
    where is_knife_or_sharp_object
    group by lsoa_code

),

youth_violence as (

    -- one row per crime: the first row's victim and suspect stand for the crime
    select lsoa_code, count(*) as events
    from force_crimes
    where victim_age < 25 or suspect_age < 25
    group by lsoa_code

),

-- the patient's home LSOA comes only from the optional identifiable ED feed (ISTV is
-- anonymised): without it no LSOA has ED events, so the indicator scores nowhere
ed_assault as (

    select attendances.home_lsoa_code as lsoa_code, count(*) as events
    from {{ ref('fct_ed_assault_attendance') }} as attendances
    cross join period
    where attendances.is_identified
        and cast(date_trunc('month', attendances.arrival_date) as date)
        between period.period_start and period.period_end
    group by attendances.home_lsoa_code

),

published_violence as (

    select lsoa_code, is_suppressed from {{ ref('sna_violence_lsoa_latest_12_months') }}

),

valued as (

    select
        geography.*,
        {%- for indicator in rated %}
        coalesce({{ indicator }}.events, 0) as {{ indicator }}_events,
        case
            when geography.population > 0
                then coalesce({{ indicator }}.events, 0) * 1000.0 / geography.population
        end as {{ indicator }}_value,
        {%- endfor %}
        published_violence.is_suppressed as violence_is_suppressed
    from geography
    {%- for indicator in rated %}
    left join {{ indicator }}
        on geography.lsoa_code = {{ indicator }}.lsoa_code
    {%- endfor %}
    left join published_violence
        on geography.lsoa_code = published_violence.lsoa_code

),

-- cume_dist over all the partnership's LSOAs (NULLs last): an area is in the top share when
-- at most that share of areas scores as high as it does; a tie that straddles the line stays
-- out, and a zero never counts
ranked as (

    select
        valued.*,
        {%- for indicator in rated %}
        coalesce(
            {{ indicator }}_value > 0
            and cume_dist() over (order by {{ indicator }}_value desc nulls last) <= {{ top_share }},
            false
        ) as {{ indicator }}_is_top,
        {%- endfor %}
        coalesce(
            imd_rank is not null
            and cume_dist() over (order by imd_rank asc nulls last) <= {{ top_share }},
            false
        ) as deprivation_is_top
    from valued

),

scored as (

    select
        ranked.*,
        {%- for indicator in rated + ['deprivation'] %}
        case when ranked.{{ indicator }}_is_top then weights.{{ indicator }}_weight else 0 end
            as {{ indicator }}_points,
        {%- endfor %}
        {% for indicator in rated + ['deprivation'] -%}
        case when ranked.{{ indicator }}_is_top then weights.{{ indicator }}_weight else 0 end
        {{- " +" if not loop.last }}
        {% endfor -%}
            as total_score
    from ranked
    cross join weights

),

final as (

    select
        period.period_start,
        period.period_end,
        scored.lsoa_code,
        scored.lsoa_name,
        scored.ward_code,
        scored.ward_name,
        scored.district_code,
        scored.district_name,
        centroids.latitude,
        centroids.longitude,
        cast(scored.population as bigint) as population,
        {%- for indicator in rated %}
        {#- the violence rate is also withheld where sna_violence_lsoa_latest_12_months withholds
            the count (an LSOA missing there counts as withheld) #}
        {{ published_rate_columns(
            indicator ~ '_rate_per_1000', 'scored.' ~ indicator ~ '_events', 'scored.population', per=1000, decimals=2,
            withheld=['coalesce(scored.violence_is_suppressed, true)'] if indicator == 'violence' else [],
            family='health' if indicator == 'ed_assault' else 'police'
        ) }},
        scored.{{ indicator }}_is_top,
        scored.{{ indicator }}_points,
        {%- endfor %}
        scored.imd_rank,
        scored.imd_decile,
        scored.deprivation_is_top,
        scored.deprivation_points,
        scored.total_score,
        rank() over (order by scored.total_score desc) as priority_rank,
        scored.total_score > 0
            and cume_dist() over (order by scored.total_score desc) <= {{ top_share }}
            as is_priority_area
    from scored
    cross join period
    left join {{ ref('int_lsoa_centroids') }} as centroids
        on scored.lsoa_code = centroids.lsoa_code

)

select * from final
