{#-
  published_rate(numerator, denominator, per, decimals, precision, withheld, min_events,
                 denominator_min_events, family, family_column)
  The one rule by which every sna model publishes a rate, percent or ratio, written once so
  that the models cannot drift apart. Returns a SQL `case ... end` expression (no alias) that is
  the rate `numerator * per / denominator`, rounded to `decimals` places and cast to
  numeric(precision, decimals), or NULL unless all of:
    - no count it uses is withheld: each of `withheld` (SQL boolean expressions, normally the
      `is_suppressed` flags from suppress_small_counts / suppress_count_columns) is false.
      A flag that is NULL also withholds the rate (a `not NULL` condition is not true). Leave
      `withheld` empty only when the counts passed in are already NULL when withheld;
    - the numerator has at least `min_events` events (default var('rate_minimum_events'), 10):
      a rate on a handful of events swings wildly and, next to a published count, could point
      at individuals;
    - with `denominator_min_events=true`, the denominator has at least `min_events` too (for a
      ratio of two event counts, e.g. ED assaults to police-recorded violence, where a small
      denominator is as unstable as a small numerator);
    - the denominator is > 0.
  `family` (or `family_column`, a SQL expression naming each row's family) is the source family
  of the numerator (var disclosure_control, macros/disclosure_control.sql): for a family with a
  rounding_base (health: 5) the rate is computed from the rounded count, as NHS Digital computes
  its percentages from rounded figures, so that the rate times the published denominator cannot
  give back the exact count the rounding hides. The thresholds above use the true count.
  `per` is an integer multiplier (1000 for a rate per 1,000, 100 for a percent, 1 for a plain
  ratio); it is written as `<per>.0` so the division is in numeric, never integer, arithmetic.
  `numerator` and `denominator` are SQL expressions and each appears more than once, so pass
  column references rather than expensive expressions.
  Example: {{ published_rate('events', 'population', per=1000, decimals=2,
                             withheld=['is_suppressed'], family='police') }} as violence_rate_per_1000
-#}
{% macro published_rate(
    numerator, denominator, per=1000, decimals=2, precision=12, withheld=[], min_events=none,
    denominator_min_events=false, family=none, family_column=none
) -%}
case
    when {{ rate_is_published(numerator, denominator, withheld, min_events, denominator_min_events) }}
        then cast(round({{ rounded_count(numerator, family, family_column) }} * {{ per | int }}.0 / {{ denominator }}, {{ decimals | int }})
            as numeric({{ precision | int }}, {{ decimals | int }}))
end /* published_rate {{ rate_arguments_key(numerator, denominator, per, decimals, withheld, min_events, denominator_min_events, family, family_column) }} */
{%- endmacro %}


{#- The condition under which published_rate (and published_rate_interval) publish a value. -#}
{% macro rate_is_published(numerator, denominator, withheld=[], min_events=none, denominator_min_events=false) -%}
{%- set minimum = (var('rate_minimum_events', 10) if min_events is none else min_events) | int -%}
{%- for flag in withheld %}not {{ flag }} and {% endfor %}{{ numerator }} >= {{ minimum }}
{%- if denominator_min_events %} and {{ denominator }} >= {{ minimum }}{% endif %}
and {{ denominator }} > 0
{%- endmacro %}



{#-
  published_rate_interval(numerator, denominator, bound, method, per, decimals, ..., z)
  The lower or upper (`bound`) limit of the confidence interval of the rate published_rate
  publishes from the same arguments, NULL exactly when that rate is NULL. `z` is the standard
  normal quantile (1.96 for 95%, 3.09 for 99.8%). Sources: docs/definitions.md, "Confidence
  intervals, significance of change, funnel plots and SPC".
    - method='byar' (counts and rates per population, and ratios of two event counts): Byar's
      approximation to the exact Poisson limits of the count (Breslow and Day 1987), divided by
      the denominator; within 0.2% of the exact limits for counts of 10 or more at 95% (the
      method of APHO Technical Briefing 3 and PHE's Fingertips). A lower limit is never below 0
      (Byar's cube turns negative for a count of 0, or of 1 with z = 3.09).
    - method='wilson' (proportions: numerator is part of denominator): the Wilson (1927) score
      interval, times `per` (100 for a percent). A rounded numerator above its denominator
      (13 of 13 rounds to 15) is taken as the whole: the interval of 100%, never a square root
      of a negative number.
  For a rounded family (health) the limits are those of the rounded count, as the rate is.
  The trailing comment names the arguments, so tests/integration/test_rate_interval_columns.py
  can check from the compiled SQL that every published rate has both limits from the same ones.
-#}
{% macro published_rate_interval(
    numerator, denominator, bound, method='byar', per=1000, decimals=2, precision=12, withheld=[],
    min_events=none, denominator_min_events=false, family=none, family_column=none, z=1.96
) -%}
{%- if bound not in ('lower', 'upper') or method not in ('byar', 'wilson') -%}
{{ exceptions.raise_compiler_error("published_rate_interval: bound is lower|upper, method byar|wilson") }}
{%- endif -%}
{%- set n = '(' ~ denominator ~ ')::numeric' -%}
{%- if method == 'byar' -%}
  {%- set o = '(' ~ rounded_count(numerator, family, family_column) ~ ')::numeric' -%}
  {%- set value = '(' ~ byar_limit(o, bound, z) ~ ') * ' ~ (per | int) ~ ' / ' ~ n -%}
{%- else -%}
  {%- set o = 'least((' ~ rounded_count(numerator, family, family_column) ~ ')::numeric, ' ~ n ~ ')' -%}
  {%- set sign = '-' if bound == 'lower' else '+' -%}
  {%- set p = '(' ~ o ~ ' / ' ~ n ~ ')' -%}
  {%- set zz = '(' ~ z ~ ' * ' ~ z ~ ')' -%}
  {%- set value = '(' ~ p ~ ' + ' ~ zz ~ ' / (2 * ' ~ n ~ ') ' ~ sign ~ ' ' ~ z ~ ' * sqrt(' ~ p ~ ' * (1 - ' ~ p ~ ') / ' ~ n ~ ' + ' ~ zz ~ ' / (4 * ' ~ n ~ ' * ' ~ n ~ '))) / (1 + ' ~ zz ~ ' / ' ~ n ~ ') * ' ~ (per | int) -%}
{%- endif -%}
case
    when {{ rate_is_published(numerator, denominator, withheld, min_events, denominator_min_events) }}
        then cast(round({{ value }}, {{ decimals | int }}) as numeric({{ precision | int }}, {{ decimals | int }}))
end /* published_rate_interval {{ rate_arguments_key(numerator, denominator, per, decimals, withheld, min_events, denominator_min_events, family, family_column) }} */
{%- endmacro %}


{#-
  published_rate_columns(name, numerator, denominator, method, per, decimals, ...)
  The published rate `name` with its 95% interval `name_lower_95`, `name_upper_95` (three
  select-list items, no trailing comma), all from the same arguments: the way a sna model
  publishes a rate unless the rate sits inside a larger expression.
-#}
{% macro published_rate_columns(
    name, numerator, denominator, method='byar', per=1000, decimals=2, precision=12, withheld=[],
    min_events=none, denominator_min_events=false, family=none, family_column=none
) -%}
{{ published_rate(numerator, denominator, per, decimals, precision, withheld, min_events, denominator_min_events, family, family_column) }} as {{ name }},
        {{ published_rate_interval(numerator, denominator, 'lower', method, per, decimals, precision, withheld, min_events, denominator_min_events, family, family_column) }} as {{ name }}_lower_95,
        {{ published_rate_interval(numerator, denominator, 'upper', method, per, decimals, precision, withheld, min_events, denominator_min_events, family, family_column) }} as {{ name }}_upper_95
{%- endmacro %}


{#- The arguments a rate and its interval must share, as text for the marker comment (never
    containing the comment's end). -#}
{% macro rate_arguments_key(numerator, denominator, per, decimals, withheld, min_events, denominator_min_events, family, family_column) -%}
{{ [numerator, denominator, per, decimals, withheld | join(' and '), min_events, denominator_min_events, family, family_column] | join(' | ') | replace('*/', '* /') | replace('\n', ' ') }}
{%- endmacro %}


{#-
  byar_limit(count, bound, z): Byar's approximation to the exact Poisson `bound` ('lower' or
  'upper') limit for a count (a numeric SQL expression, used several times: pass a column or a
  cast). Lower: O (1 - 1/(9O) - z/(3 sqrt O))^3, never below 0 (0 for O = 0); upper:
  (O+1) (1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3 (Breslow and Day 1987, vol. II, p. 69). Used for
  confidence intervals of counts (published_rate_interval) and, around an expected count, for
  funnel plot control limits (sna_violence_district_funnel).
-#}
{% macro byar_limit(count, bound, z=1.96) -%}
{%- if bound == 'lower' -%}
case when {{ count }} = 0 then 0 else greatest(0, {{ count }} * power(1 - 1 / (9 * {{ count }}) - {{ z }} / (3 * sqrt({{ count }})), 3)) end
{%- elif bound == 'upper' -%}
({{ count }} + 1) * power(1 - 1 / (9 * ({{ count }} + 1)) + {{ z }} / (3 * sqrt({{ count }} + 1)), 3)
{%- else -%}
{{ exceptions.raise_compiler_error("byar_limit: bound is lower|upper") }}
{%- endif -%}
{%- endmacro %}
