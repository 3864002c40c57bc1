-- Seasonality: each month of the year's violence against the source's average month, per
-- source and district, over the whole span the source covers (its first to its latest month).
-- The seasonal index of a month of the year is an observed / expected ratio:
--   observed = events in that calendar month, summed over the years the span covers it;
--   expected = the times the span covers that month x the average events per month of the span;
-- so 1.00 is an average month and 1.25 a month 25% busier than average. Its 95% interval is
-- Byar's for the observed count, the expected taken as fixed (as for a standardised ratio,
-- macros/published_rate.sql). With less than a year of data some months of the year are
-- missing and the index compares the months present only: is_full_year_covered is false then.
-- Disclosure control on the observed counts (each source's family) with secondary suppression
-- over the months of a district and the districts of a month.

with

events as (

    select * from {{ ref('int_violence_events_timed') }}

),

districts as (

    {{ district_names(ref('dim_geography')) }}

),

sources (source, source_name, disclosure_family, source_sort_order) as (

    values
        ('police_force', 'Police-recorded serious violence', 'police', 1),
        ('ed_assault', 'ED assault attendances', 'health', 2),
        ('ambulance', 'Ambulance call-outs to assaults', 'health', 3)

),

spans as (

    select source, min(month_start) as first_month, max(month_start) as last_month
    from events
    group by source

),

-- every month of each source's span, so a month with no events still counts as a month
span_months as (

    select
        spans.source,
        cast(months.month_start as date)                            as month_start,
        cast(extract(month from months.month_start) as integer)     as month_of_year
    from spans
    cross join lateral generate_series(
        spans.first_month, spans.last_month, interval '1 month'
    ) as months (month_start)

),

month_occurrences as (

    select source, month_of_year, count(*) as months_observed
    from span_months
    group by source, month_of_year

),

counted as (

    select source, district_code, cast(extract(month from month_start) as integer) as month_of_year,
        count(*) as events
    from events
    group by 1, 2, 3

),

cells as materialized (

    select
        sources.source,
        sources.source_name,
        sources.source_sort_order,
        sources.disclosure_family,
        spans.first_month                                           as period_start,
        spans.last_month                                            as period_end,
        districts.district_code,
        districts.district_name,
        month_occurrences.month_of_year,
        month_occurrences.months_observed,
        coalesce(counted.events, 0)                                 as events
    from spans
    inner join sources
        on spans.source = sources.source
    inner join month_occurrences
        on spans.source = month_occurrences.source
    cross join districts
    left join counted
        on spans.source = counted.source
        and districts.district_code = counted.district_code
        and month_occurrences.month_of_year = counted.month_of_year

),

with_expected as (

    select
        cells.*,
        -- the source's months in the span (each month of the year counted as often as covered)
        sum(months_observed) over (partition by source, district_code)  as span_months,
        count(*) over (partition by source, district_code) = 12     as is_full_year_covered,
        months_observed * sum(events) over (partition by source, district_code)
            / nullif(sum(months_observed) over (partition by source, district_code), 0)::numeric
                                                                    as expected_events
    from cells

),

{%- set groupings = [
    ['source', 'district_code'],
    ['source', 'month_of_year'],
] %}

protected as materialized (

    {{ suppress_small_counts(
        'with_expected', 'events', groupings=groupings,
        tiebreak=['district_code', 'month_of_year'], family_column='disclosure_family'
    ) }}

),

{%- set index_args = dict(
    per=1, decimals=2, precision=8, withheld=['is_suppressed'], family_column='disclosure_family'
) %}

final as (

    select
        source,
        source_name,
        source_sort_order,
        disclosure_family,
        period_start,
        period_end,
        district_code,
        district_name,
        month_of_year,
        to_char(make_date(2000, month_of_year, 1), 'Mon')           as month_name,
        cast(months_observed as integer)                            as months_observed,
        cast(span_months as integer)                                as span_months,
        is_full_year_covered,
        {{ published_count('events', 'is_suppressed', family_column='disclosure_family') }}
                                                                    as event_count,
        {{ published_rate_columns('seasonal_index', 'events', 'expected_events', method='byar', **index_args) }},
        is_suppressed
    from protected

)

select * from final
