{#-
  rate_ratio_columns(prefix, count, person_years, comparison_count, comparison_person_years,
                     withheld, min_events, family, family_column, z)
  Whether a rate changed against a comparison period, as the select-list items
    <prefix>_rate_ratio, <prefix>_rate_ratio_lower_95, <prefix>_rate_ratio_upper_95,
    <prefix>_change_is_significant, <prefix>_change_significance
  (no trailing comma). The rate ratio (count / person_years) / (comparison_count /
  comparison_person_years) with the standard 95% interval for the ratio of two Poisson rates:
  exp(ln RR +/- z * sqrt(1/a + 1/b)) (Rothman, Greenland and Lash, Modern Epidemiology, 3rd ed.,
  2008, ch. 14; Breslow and Day 1987, vol. II, section 2.4; statsmodels calls it 'wald-log').
  The change is significant when the interval excludes 1: 'significant increase' (lower limit
  above 1), 'significant decrease' (upper limit below 1), else 'no significant change';
  'too few to tell' (and not significant) when either count is withheld (`withheld`, normally both
  rows' is_suppressed flags; a NULL flag withholds too) or below `min_events` (default
  var('rate_minimum_events'), 10: the rule under which a rate is published at all). All five are
  NULL when there is no comparison period (comparison_person_years NULL).
  For a rounded family (health) the ratio is that of the rounded counts, as the published rates
  are. The threshold uses the true counts. Pass column references (each appears many times).
-#}
{% macro rate_ratio_columns(
    prefix, count, person_years, comparison_count, comparison_person_years, withheld=[],
    min_events=none, family=none, family_column=none, z=1.96
) -%}
{%- set minimum = (var('rate_minimum_events', 10) if min_events is none else min_events) | int -%}
{%- set a = '(' ~ rounded_count(count, family, family_column) ~ ')::numeric' -%}
{%- set b = '(' ~ rounded_count(comparison_count, family, family_column) ~ ')::numeric' -%}
{%- set log_ratio = 'ln((' ~ a ~ ' / ' ~ person_years ~ ') / (' ~ b ~ ' / ' ~ comparison_person_years ~ '))' -%}
{%- set margin = z ~ ' * sqrt(1 / ' ~ a ~ ' + 1 / ' ~ b ~ ')' -%}
{%- set comparable -%}
{%- for flag in withheld %}not coalesce({{ flag }}, true) and {% endfor -%}
{{ count }} >= {{ minimum }} and {{ comparison_count }} >= {{ minimum }}
            and {{ person_years }} > 0 and {{ comparison_person_years }} > 0
{%- endset -%}
{%- set comparable = 'coalesce(' ~ comparable ~ ', false)' -%}
{%- set lower = 'exp(' ~ log_ratio ~ ' - ' ~ margin ~ ')' -%}
{%- set upper = 'exp(' ~ log_ratio ~ ' + ' ~ margin ~ ')' -%}
case when {{ comparable }}
        then cast(round(exp({{ log_ratio }}), 3) as numeric(12, 3)) end  as {{ prefix }}_rate_ratio,
        case when {{ comparable }}
        then cast(round({{ lower }}, 3) as numeric(12, 3)) end           as {{ prefix }}_rate_ratio_lower_95,
        case when {{ comparable }}
        then cast(round({{ upper }}, 3) as numeric(12, 3)) end           as {{ prefix }}_rate_ratio_upper_95,
        case
            when {{ comparison_person_years }} is null then null
            when {{ comparable }} then {{ lower }} > 1 or {{ upper }} < 1
            else false
        end                                                             as {{ prefix }}_change_is_significant,
        case
            when {{ comparison_person_years }} is null then null
            when not ({{ comparable }}) then 'too few to tell'
            when {{ lower }} > 1 then 'significant increase'
            when {{ upper }} < 1 then 'significant decrease'
            else 'no significant change'
        end                                                             as {{ prefix }}_change_significance
{%- endmacro %}
