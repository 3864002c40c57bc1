{#-
  strictest_disclosure_family(families): of the source families a published count combines
  (e.g. ['police', 'health'] for victims known to the police or to an emergency department),
  the one whose disclosure rule (var disclosure_control, macros/disclosure_control.sql) withholds
  the most: the highest suppress_up_to, then the highest rounding_base, then the first named.
  A count that mixes sources is protected by the strictest rule of any source in it, so that no
  partner's data is published under a looser rule than its own agreement allows.
-#}
{% macro strictest_disclosure_family(families) %}
{%- set ns = namespace(best=none, key=none) -%}
{%- for family in families -%}
{%- set rule = disclosure_rule(family) -%}
{%- set key = [rule['suppress_up_to'] | int, rule['rounding_base'] | int] -%}
{%- if ns.best is none or key[0] > ns.key[0] or (key[0] == ns.key[0] and key[1] > ns.key[1]) -%}
{%- set ns.best = family -%}{%- set ns.key = key -%}
{%- endif -%}
{%- endfor -%}
{{ return(ns.best) }}
{% endmacro %}
