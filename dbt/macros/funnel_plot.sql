{#-
  Funnel plots (Spiegelhalter DJ 2005, "Funnel plots for comparing institutional performance",
  Statistics in Medicine 24:1185-1202; the APHO/PHE method, "Technical Briefing 2: Statistical
  process control methods in public health intelligence", 2008): each area's rate is set against
  the rate of the whole (`target_rate`, events per person) with control limits that narrow as
  the population grows. The limits are the exact Poisson limits around the count expected at that
  population, E = target_rate x population, by Byar's approximation (byar_limit), as a rate
  `per` persons. z: 1.96 for the 95% limits (about 2 standard deviations), 3.0902 for 99.8%
  (about 3). Arguments are SQL expressions; each appears several times.
-#}

{#- The funnel's `bound` ('lower'/'upper') limit at `population`, per `per`. -#}
{% macro funnel_limit(target_rate, population, bound, z, per=1000) -%}
({{ byar_limit('(' ~ target_rate ~ ' * ' ~ population ~ ')::numeric', bound, z) }}) * {{ per | int }} / ({{ population }})::numeric
{%- endmacro %}


{#- Where an area's count `events` falls at its `population`: 'above 99.8% limit', 'above 95%
    limit', 'within 95% limits', 'below 95% limit', 'below 99.8% limit'. A count exactly on a
    limit is within it. -#}
{% macro funnel_position(events, population, target_rate) -%}
{%- set expected = '(' ~ target_rate ~ ' * ' ~ population ~ ')::numeric' -%}
case
            when {{ events }} > {{ byar_limit(expected, 'upper', 3.0902) }} then 'above 99.8% limit'
            when {{ events }} > {{ byar_limit(expected, 'upper', 1.96) }} then 'above 95% limit'
            when {{ events }} < {{ byar_limit(expected, 'lower', 3.0902) }} then 'below 99.8% limit'
            when {{ events }} < {{ byar_limit(expected, 'lower', 1.96) }} then 'below 95% limit'
            else 'within 95% limits'
        end
{%- endmacro %}
