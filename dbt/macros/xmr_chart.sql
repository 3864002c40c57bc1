{#-
  xmr_chart(relation, series, time, value)
  A statistical process control XmR chart (individuals and moving range) for each series of
  `relation` (a table, CTE or parenthesised query): every column of it plus
    process_mean, mean_moving_range, lower_process_limit, upper_process_limit,
    points_in_series, moving_range,
    is_outside_limits, is_shift, is_trend, is_two_of_three_near_limit, special_cause
  following NHS England's "Making Data Count" (NHS Improvement 2019, "Making data count:
  strengthening your decisions"; implemented by the NHS-R Community's NHSRplotthedots, whose
  rules these are):
    - process limits: mean +/- 2.66 x mean moving range (2.66 = 3 / 1.128, three sigma); the
      lower limit is floored at 0 for counts (a count below 0 cannot happen);
    - a single point outside the process limits;
    - a shift: a run of 7 or more consecutive points all above or all below the mean (a point
      on the mean breaks the run); every point of the run is flagged;
    - a trend: 7 or more consecutive points each higher (or each lower) than the one before
      (6 successive rises or falls; an equal value breaks it); every point of it is flagged;
    - two out of three consecutive points beyond two sigma (mean +/- 2/3 x 2.66 x mean moving
      range), all three on the same side of the mean: the points beyond two sigma are flagged.
  special_cause is 'special cause: higher', 'special cause: lower' (the side of the mean, the
  direction of a trend) or 'common cause'. Limits come from all the points of the series.
  `series` is a list of column names (the partition), `time` orders the points, `value` is the
  number plotted (a column). Working columns start with `_` and trend_direction: select the
  columns you publish by name.
-#}
{% macro xmr_chart(relation, series, time, value) -%}
{%- set by = series | join(', ') -%}
{%- set sigma_2 = '(2.0 / 3.0 * 2.66 * mean_moving_range)' -%}
select
    *,
    case
        when is_outside_limits or is_shift or is_two_of_three_near_limit then
            case when {{ value }} > process_mean then 'special cause: higher' else 'special cause: lower' end
        when is_trend then
            case when trend_direction > 0 then 'special cause: higher' else 'special cause: lower' end
        else 'common cause'
    end as special_cause
from (
    select
        *,
        coalesce({{ value }} > upper_process_limit or {{ value }} < lower_process_limit, false)
            as is_outside_limits,
        coalesce(_side <> 0 and count(*) over (partition by {{ by }}, _side, _side_run) >= 7, false)
            as is_shift,
        -- in a trend when the rise (fall) into the point, or out of it, is one of 6 in a row
        case
            when _step <> 0 and _step_steps >= 6 then _step
            when lead(_step) over ordered <> 0 and lead(_step_steps) over ordered >= 6
                then lead(_step) over ordered
        end as trend_direction,
        coalesce(
            (_step <> 0 and _step_steps >= 6)
            or (lead(_step) over ordered <> 0 and lead(_step_steps) over ordered >= 6),
            false
        ) as is_trend,
        -- beyond two sigma, with one of the two points before, around or after it beyond two
        -- sigma on the same side and all three on that side of the mean
        coalesce(_near <> 0 and (
            (lag(_near, 2) over ordered = _near or lag(_near) over ordered = _near)
                and lag(_side, 2) over ordered = _near and lag(_side) over ordered = _near
            or (lag(_near) over ordered = _near or lead(_near) over ordered = _near)
                and lag(_side) over ordered = _near and lead(_side) over ordered = _near
            or (lead(_near) over ordered = _near or lead(_near, 2) over ordered = _near)
                and lead(_side) over ordered = _near and lead(_side, 2) over ordered = _near
        ), false) as is_two_of_three_near_limit
    from (
        select
            *,
            count(*) over (partition by {{ by }}, _step, _step_run) as _step_steps
        from (
            select
                *,
                _xmr_index - row_number() over (partition by {{ by }}, _side order by {{ time }}) as _side_run,
                _xmr_index - row_number() over (partition by {{ by }}, _step order by {{ time }}) as _step_run,
                case
                    when {{ value }} - process_mean > {{ sigma_2 }} then 1
                    when process_mean - {{ value }} > {{ sigma_2 }} then -1
                    else 0
                end as _near
            from (
                select
                    *,
                    process_mean + 2.66 * mean_moving_range as upper_process_limit,
                    greatest(0, process_mean - 2.66 * mean_moving_range) as lower_process_limit,
                    sign({{ value }} - process_mean) as _side
                from (
                    select
                        *,
                        avg({{ value }}) over (partition by {{ by }}) as process_mean,
                        avg(moving_range) over (partition by {{ by }}) as mean_moving_range,
                        count(*) over (partition by {{ by }}) as points_in_series
                    from (
                        select
                            *,
                            row_number() over (partition by {{ by }} order by {{ time }}) as _xmr_index,
                            abs({{ value }} - lag({{ value }}) over (partition by {{ by }} order by {{ time }}))
                                as moving_range,
                            sign({{ value }} - lag({{ value }}) over (partition by {{ by }} order by {{ time }}))
                                as _step
                        from {{ relation }} as xmr_source
                    ) as with_ranges
                ) as with_mean
            ) as with_limits
        ) as with_runs
    ) as with_step_runs
    window ordered as (partition by {{ by }} order by {{ time }})
) as flagged
{%- endmacro %}
