-- Statistical process control of serious violence: crimes recorded by the force each month that
-- fall under the partnership's serious-violence definition (fct_police_force_crime,
-- is_serious_violence; one row per crime), for the partnership and for each district, with an
-- XmR chart per series (macros/xmr_chart.sql: mean, process limits mean +/- 2.66 x mean moving
-- range, NHS England "Making Data Count" special-cause rules per month).
-- Disclosure control: district counts of 1 to 4 and the cells that would reveal them from a
-- month's partnership total or a district's total over the months are withheld. A district
-- series with any withheld month publishes no mean, limits or flags: they are computed from
-- every month and would give the withheld counts back (the mean times the months, less the
-- published months, is the withheld total).

with

districts as (

    {{ district_names(ref('dim_geography')) }}

),

crimes as (

    {{ force_crime_months(ref('fct_police_force_crime')) }}

),

-- every month the force data covers, so a month without serious violence shows 0
months as (

    select distinct month_start from crimes

),

district_months as (

    select
        months.month_start,
        districts.district_code,
        districts.district_name,
        count(crimes.month_start)   as events
    from districts
    cross join months
    left join crimes
        on districts.district_code = crimes.district_code
        and months.month_start = crimes.month_start
        and crimes.is_serious_violence
    group by months.month_start, districts.district_code, districts.district_name

),

-- The partnership's monthly totals are cells of the same suppression as its districts (a total
-- next to one withheld district month would give it back), code 'partnership'.
cells as (

    select month_start, district_code, district_name, events from district_months
    union all
    select month_start, 'partnership', 'Partnership area', sum(events)
    from district_months
    group by month_start

),

protected as (

    {{ suppress_small_counts(
        'cells', 'events',
        groupings=[['month_start'], ['district_code']],
        tiebreak=['district_code', 'month_start'], family='police'
    ) }}

),

series as (

    select
        'district'          as geography_level,
        district_code       as area_code,
        district_name       as area_name,
        district_code,
        month_start,
        events,
        is_suppressed
    from protected
    where district_code <> 'partnership'
    union all
    -- the partnership: the sum of its districts, protected with them
    select
        'partnership',
        'partnership',
        'Partnership area',
        cast(null as text),
        month_start,
        events,
        is_suppressed
    from protected
    where district_code = 'partnership'

),

charted as (

    {{ xmr_chart('series', ['area_code'], 'month_start', 'events') }}

),

withheld_series as (

    select
        *,
        bool_or(is_suppressed) over (partition by area_code) as series_has_withheld_month
    from charted

),

final as (

    select
        geography_level,
        area_code,
        area_name,
        district_code,
        month_start,
        {{ financial_year('month_start') }}                         as financial_year,
        {{ published_count('events', 'is_suppressed', family='police') }} as serious_violence_count,
        is_suppressed,
        series_has_withheld_month,
        cast(points_in_series as integer)                           as months_in_series,
        {%- for column in ['process_mean', 'mean_moving_range', 'lower_process_limit', 'upper_process_limit'] %}
        case when not series_has_withheld_month
            then cast(round({{ column }}, 2) as numeric(12, 2)) end  as {{ column }},
        {%- endfor %}
        {%- for flag in ['is_outside_limits', 'is_shift', 'is_trend', 'is_two_of_three_near_limit'] %}
        case when not series_has_withheld_month then {{ flag }} end as {{ flag }},
        {%- endfor %}
        case when not series_has_withheld_month then special_cause end as special_cause
    from withheld_series

)

select * from final
