{#-
  Fails on any row of a disclosure-controlled model where the family's rule (var
  disclosure_control, macros/disclosure_control.sql) does not hold: a visible count from 1 to
  the family's suppress_up_to, a visible count that is not a multiple of its rounding_base, a
  suppressed count shown as a number, or a group (of `groupings`) with exactly one suppressed
  cell among several. `family` names the source family, or `family_column` a column of the model
  naming each row's. `flag_column` names the column flagging the withheld cells (a model with
  several protected counts has one flag per count, e.g. `baseline_count_is_suppressed`).
-#}
{% test suppression_holds(model, count_column, groupings, family=none, family_column=none, flag_column='is_suppressed') %}
{%- set up_to = disclosure_setting('suppress_up_to', family, family_column) -%}
{%- set base = disclosure_setting('rounding_base', family, family_column) -%}
{%- set public = disclosure_public_condition('', family, family_column) -%}
select 'visible small count' as problem, count(*) as cells
from {{ model }}
where {{ count_column }} between 1 and {{ up_to }} and not {{ public }}
having count(*) > 0
union all
select 'visible count not rounded to its base', count(*)
from {{ model }}
where {{ count_column }} % ({{ base }}) <> 0 and not {{ public }}
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
