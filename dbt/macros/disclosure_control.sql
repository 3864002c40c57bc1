{#-
  Disclosure control for board-facing (sna) tables. The rules live in ONE place, the
  `disclosure_control` var in dbt_project.yml: one entry per source family (police, health,
  education, youth_justice, providers) with
    suppress_up_to         counts from 1 to this are withheld (police 1-4, health 1-7);
    rounding_base          published counts are rounded to the nearest multiple (health 5);
    secondary_suppression  withhold further cells so no withheld cell can be recovered;
    publishable_public     cells already published elsewhere, never withheld.
  Every macro here takes the family of the count it protects: `family` (a family name, for a
  count of one source) or `family_column` (a SQL expression naming each row's family, for a long
  table whose rows come from different sources, e.g. sna_core_measures' measures; its groupings
  must then keep the families apart). docs/definitions.md ("Disclosure control") explains the
  rules and their sources.
-#}

{#- The rule of one family, with a clear error for a family the var does not declare. -#}
{% macro disclosure_rule(family) %}
{%- set rules = var('disclosure_control') -%}
{%- if family not in rules -%}
{{ exceptions.raise_compiler_error(
    "disclosure control: unknown source family '" ~ family ~ "' (declared in var disclosure_control: "
    ~ (rules.keys() | list | join(', ')) ~ ")"
) }}
{%- endif -%}
{#- a family that gives only suppress_up_to (e.g. a unit test's override) gets the defaults -#}
{%- set rule = {'rounding_base': 1, 'secondary_suppression': true, 'publishable_public': []} -%}
{%- do rule.update(rules[family]) -%}
{{ return(rule) }}
{% endmacro %}

{#- A family setting as a SQL expression: a literal for `family`, a CASE over the families for
    `family_column`. -#}
{% macro disclosure_setting(key, family=none, family_column=none) %}
{%- if family is not none -%}
{%- set value = disclosure_rule(family)[key] -%}
{{ return(disclosure_sql_value(value)) }}
{%- elif family_column is not none -%}
{%- set rules = var('disclosure_control') -%}
{%- set ns = namespace(sql='case ' ~ family_column) -%}
{%- for name in rules -%}
{%- set value = disclosure_rule(name)[key] -%}
{%- set ns.sql = ns.sql ~ " when '" ~ name ~ "' then " ~ disclosure_sql_value(value) -%}
{%- endfor -%}
{{ return(ns.sql ~ ' end') }}
{%- else -%}
{{ exceptions.raise_compiler_error(
    "disclosure control in " ~ model.name ~ ": name the source family of the count (family= or family_column=)"
) }}
{%- endif -%}
{% endmacro %}

{#- A setting (a number or a flag) written as SQL. -#}
{% macro disclosure_sql_value(value) %}
{%- if value is sameas true or value is sameas false -%}
{{ return('true' if value else 'false') }}
{%- endif -%}
{{ return(value | string) }}
{% endmacro %}

{#- True for a row that the family's `publishable_public` entries name: each entry lists column
    values (all must match) and optionally `model` (the entry applies to that model only). -#}
{% macro disclosure_public_condition(row, family=none, family_column=none) %}
{%- set rules = var('disclosure_control') -%}
{%- set names = [family] if family is not none else (rules.keys() | list) -%}
{%- set conditions = [] -%}
{%- for name in names -%}
{%- for entry in disclosure_rule(name).get('publishable_public', []) or [] -%}
{%- if entry.get('model') is none or entry.get('model') == model.name -%}
{%- set terms = [] -%}
{%- if family is none -%}{%- do terms.append(family_column ~ " = '" ~ name ~ "'") -%}{%- endif -%}
{%- for column, value in entry.items() if column != 'model' -%}
{%- do terms.append(row ~ column ~ " = '" ~ value ~ "'") -%}
{%- endfor -%}
{%- do conditions.append('(' ~ terms | join(' and ') ~ ')') -%}
{%- endif -%}
{%- endfor -%}
{%- endfor -%}
{{ return('coalesce(' ~ conditions | join(' or ') ~ ', false)' if conditions else 'false') }}
{% endmacro %}

{#-
  suppress_small_counts(relation, count_column, groupings, tiebreak, family, family_column,
                        flag_column)
  (`family_column` here is a column of `relation`.)
  selects every column of `relation` (a table, CTE name or parenthesised query) plus
  `flag_column` (default `is_suppressed`), and nothing else:
    - primary: a count from 1 to the family's suppress_up_to is withheld (unless the cell is
      publishable_public);
    - secondary (when the family has it): in every group of `groupings` (e.g.
      [['month_start'], ['district_code']]: the rows a reader could add up into a published
      total), a group with exactly one withheld cell also withholds its smallest other cell
      (non-zero first, then a zero, then `tiebreak`; never a public cell), so that the withheld
      value cannot be recovered by subtracting the others from the total.
  Secondary suppression runs to a fixed point: a cell withheld for one grouping can leave a lone
  withheld cell in another, so the passes over all groupings (in the order given) repeat until a
  pass withholds nothing more. Each pass only adds cells and stops when none is added, so it ends
  on any table (at most one pass per cell, in practice a handful), and at the end no group of any
  grouping holds exactly one withheld cell. The state travels as one boolean array indexed by
  cell number through a recursive CTE (set-based window passes, no procedural code, no database
  objects). A group of one row cannot be protected by its neighbours: do not publish its total.
  The caller publishes the count with published_count (NULL when withheld, never 0; rounded for
  families with a rounding_base) and rates with published_rate.
  The row travels as one composite value (`_cell`), so that the working columns never reach the
  output and a result can be fed to the macro again, as suppress_count_columns does.
-#}
{% macro suppress_small_counts(
    relation, count_column, groupings, tiebreak, family=none, family_column=none,
    flag_column='is_suppressed'
) %}
{%- set row_family = 'base.' ~ family_column if family_column else none -%}
{%- set up_to = disclosure_setting('suppress_up_to', family, row_family) -%}
{%- set secondary = disclosure_setting('secondary_suppression', family, row_family) -%}
{%- set public = disclosure_public_condition('base.', family, row_family) -%}
{%- set count = 'base.' ~ count_column -%}
{%- set carried = ['_id', '_public', '_secondary'] -%}
{%- for grouping in groupings -%}
{%- do carried.append('_g' ~ loop.index) -%}{%- do carried.append('_rank' ~ loop.index) -%}
{%- endfor -%}
with recursive

_cells as materialized (

    select
        cast(row_number() over () as integer) as _id,
        base as _cell,
        coalesce({{ count }} between 1 and {{ up_to }}, false) and not {{ public }} as _primary,
        {{ public }} as _public,
        coalesce({{ secondary }}, true) as _secondary
        {%- for grouping in groupings %}
        {%- set partition = [] -%}
        {%- for column in grouping -%}{%- do partition.append('base.' ~ column) -%}{%- endfor -%}
        {%- set order = [] -%}
        {%- for column in tiebreak -%}{%- do order.append('base.' ~ column) -%}{%- endfor %},
        dense_rank() over (order by {{ partition | join(', ') }}) as _g{{ loop.index }},
        row_number() over (
            partition by {{ partition | join(', ') }}
            order by coalesce({{ count }}, 0) = 0, {{ count }}, {{ order | join(', ') }}
        ) as _rank{{ loop.index }}
        {%- endfor %}
    from {{ relation }} as base

),

_state (_step, _s) as (

    select 0, coalesce(array_agg(_primary order by _id), array[]::boolean[]) from _cells

    union all

    {%- set ns = namespace() %}
    {%- set ns.query -%}
    select {{ carried | join(', ') }}, _state._s[_id] as _s from _cells
    {%- endset %}
    {%- for grouping in groupings %}
    {%- set ns.query -%}
    select {{ carried | join(', ') }},
        _s or (_secondary and not _s and not _public and _n = 1 and _r = 1) as _s
    from (
        select {{ carried | join(', ') }}, _s,
            count(*) filter (where _s) over (partition by _g{{ loop.index }}) as _n,
            row_number() over (partition by _g{{ loop.index }} order by _s or _public, _rank{{ loop.index }}) as _r
        from ({{ ns.query }}) as previous
    ) as counted
    {%- endset %}
    {%- endfor %}
    select _state._step + 1, _next._s
    from _state
    cross join lateral (
        select coalesce(array_agg(_s order by _id), array[]::boolean[]) as _s
        from ({{ ns.query }}) as passed
    ) as _next
    where _next._s is distinct from _state._s

)

select (_cells._cell).*, coalesce(_final._s[_cells._id], false) as {{ flag_column }}
from _cells
cross join (select _s from _state order by _step desc limit 1) as _final
{% endmacro %}

{#-
  suppress_count_columns(relation, columns, groupings, tiebreak, family, families) protects
  several count columns of one relation, each on its own: selects every column of `relation`
  plus `<column>_is_suppressed` for each of `columns`, computed by suppress_small_counts with
  the same groupings and tiebreak, under `family`, or `families[column]` for a table whose
  counts come from different sources (e.g. {'ed_events': 'health', 'police_events': 'police'}).
  A column's flag depends on that column alone; the caller withholds a rate when any count it
  uses is withheld.
-#}
{% macro suppress_count_columns(relation, columns, groupings, tiebreak, family=none, families={}) %}
{%- set ns = namespace(query='select * from ' ~ relation) -%}
{%- for column in columns -%}
{%- set ns.query = suppress_small_counts(
    '(' ~ ns.query ~ ')', column, groupings, tiebreak, family=families.get(column, family),
    flag_column=column ~ '_is_suppressed'
) -%}
{%- endfor -%}
{{ ns.query }}
{% endmacro %}

{#-
  published_count(count, flag, family, family_column): the published value of a protected count:
  NULL when `flag` withholds it (never 0), else the count rounded to the nearest multiple of the
  family's rounding_base (health: 5). Rounding comes after suppression: suppression decides on
  the true count (so 1-7 means 1-7, and a true 8 is published as 10, never withheld), and the
  secondary pattern is computed on the true totals a reader could add up. Rounding first would
  publish true 1s and 2s as 0 and withhold by rounded values that no longer add up.
-#}
{% macro published_count(count, flag, family=none, family_column=none) -%}
case when not {{ flag }} then {{ rounded_count(count, family, family_column) }} end
{%- endmacro %}

{#- The count rounded to the family's rounding_base (unchanged where it is 1). -#}
{% macro rounded_count(count, family=none, family_column=none) -%}
{%- set base = disclosure_setting('rounding_base', family, family_column) -%}
{%- if base == '1' -%}
{{ count }}
{%- else -%}
cast(round({{ count }} * 1.0 / ({{ base }})) * ({{ base }}) as bigint)
{%- endif -%}
{%- endmacro %}
