{#-
  Disclosure control for board-facing (sna) tables.

  suppress_small_counts(relation, count_column, groupings, tiebreak) selects every column of
  `relation` plus `is_suppressed`:
    - primary: a count from 1 to suppression_threshold - 1 (default 1-4) is suppressed;
    - secondary: in every group of `groupings` (e.g. [['month_start'], ['district_code']]: the
      rows a reader could add up into a known total), a group with exactly one suppressed cell
      also suppresses its smallest other cell (non-zero first, then a zero), so that the
      suppressed value cannot be recovered by subtracting the others from the total.
  Secondary suppression runs over the groupings twice, because suppressing a cell for one
  grouping can leave a lone suppressed cell in another; the `suppression_holds` test checks the
  result. A group of one row cannot be protected by its neighbours: do not publish its total.
  The caller turns is_suppressed into NULL counts and rates (never 0).
-#}
{% macro suppress_small_counts(relation, count_column, groupings, tiebreak) %}
{%- set threshold = var('suppression_threshold', 5) | int -%}
{%- set ns = namespace(step=0) -%}
{%- set ns.query -%}
select base.*, coalesce(base.{{ count_column }} between 1 and {{ threshold - 1 }}, false) as _s0
from {{ relation }} as base
{%- endset -%}
{%- for _ in range(2) -%}
{%- for grouping in groupings -%}
{%- set previous = '_s' ~ ns.step -%}
{%- set ns.step = ns.step + 1 -%}
{%- set partition = grouping | join(', ') -%}
{%- set ns.query -%}
select ranked.*,
    ranked.{{ previous }}
        or (ranked._n{{ ns.step }} = 1 and ranked._r{{ ns.step }} = 1 and not ranked.{{ previous }})
        as _s{{ ns.step }}
from (
    select counted.*,
        count(*) filter (where counted.{{ previous }})
            over (partition by {{ partition }}) as _n{{ ns.step }},
        row_number() over (
            partition by {{ partition }}
            order by counted.{{ previous }}, coalesce(counted.{{ count_column }}, 0) = 0,
                counted.{{ count_column }}, {{ tiebreak | join(', ') }}
        ) as _r{{ ns.step }}
    from ({{ ns.query }}) as counted
) as ranked
{%- endset -%}
{%- endfor -%}
{%- endfor -%}
select protected.*, protected._s{{ ns.step }} as is_suppressed
from ({{ ns.query }}) as protected
{% endmacro %}
