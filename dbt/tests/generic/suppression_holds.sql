{#-
  Fails on any row of a disclosure-controlled model where suppression does not hold:
  a visible count from 1 to suppression_threshold - 1, a suppressed count shown as a number,
  or a group (of `groupings`) with exactly one suppressed cell among several.
  `flag_column` names the column flagging the withheld cells (a model with several protected
  counts has one flag per count, e.g. `baseline_count_is_suppressed`).
-#}
{% test suppression_holds(model, count_column, groupings, flag_column='is_suppressed') %}
{%- set threshold = var('suppression_threshold', 5) | int -%}
select 'visible small count' as problem, count(*) as cells
from {{ model }}
where {{ count_column }} between 1 and {{ threshold - 1 }}
having count(*) > 0
union all
select 'suppressed cell shows a number', count(*)
from {{ model }}
where {{ flag_column }} and {{ count_column }} is not null
having count(*) > 0
{%- for grouping in groupings %}
union all
select 'lone suppressed cell in a group of {{ grouping | join(", ") }}', count(*)
from (
    select {{ grouping | join(', ') }}
    from {{ model }}
    group by {{ grouping | join(', ') }}
    having count(*) filter (where {{ flag_column }}) = 1 and count(*) > 1
) as lone
having count(*) > 0
{%- endfor %}
{% endtest %}
