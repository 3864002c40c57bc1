{#-
  Disclosure control for board-facing (sna) tables.

  suppress_small_counts(relation, count_column, groupings, tiebreak, passes, flag_column)
  selects every column of `relation` (a table, CTE name or parenthesised query) plus
  `flag_column` (default `is_suppressed`), and nothing else:
    - primary: a count from 1 to suppression_threshold - 1 (default 1-4) is suppressed;
    - secondary: in every group of `groupings` (e.g. [['month_start'], ['district_code']]: the
      rows a reader could add up into a known total), a group with exactly one suppressed cell
      also suppresses its smallest other cell (non-zero first, then a zero, then `tiebreak`),
      so that the suppressed value cannot be recovered by subtracting the others from the total.
  Secondary suppression runs `passes` times over all the groupings, in the order given, because
  a cell withheld for one grouping can leave a lone suppressed cell in another, and the cell
  withheld to protect that one can do the same back. With a single grouping one pass settles
  it; the default, 2 * len(groupings), lets each grouping answer the others twice. It is a rule
  of thumb, not a proof: it is what the sna models' data needs (sna_violence_ward_month's
  months x wards, on 24 months of data, still has lone withheld cells after len(groupings) + 1
  = 3 passes and settles in 4), and a long chain of withheld cells can need more. The
  `suppression_holds` test on every count column checks the result; a model whose cells need
  more names `passes`. Passes after nothing changes are no-ops, so more passes cost time but
  never change a settled result.
  List each grouping once: repeating a grouping only adds passes.
  A group of one row cannot be protected by its neighbours: do not publish its total.
  The caller turns the flag into NULL counts and rates (never 0).

  The row travels through the passes as one composite value (`_cell`), so that the working
  columns (_s, _n, _r) never reach the output and a result can be fed to the macro again, as
  suppress_count_columns does.
-#}
{% macro suppress_small_counts(
    relation, count_column, groupings, tiebreak, passes=none, flag_column='is_suppressed'
) %}
{%- set threshold = var('suppression_threshold', 5) | int -%}
{%- set passes = 2 * (groupings | length) if passes is none else passes | int -%}
{%- set count = '(counted._cell).' ~ count_column -%}
{%- set ns = namespace() -%}
{%- set ns.query -%}
select base as _cell, coalesce(base.{{ count_column }} between 1 and {{ threshold - 1 }}, false) as _s
from {{ relation }} as base
{%- endset -%}
{%- for _ in range(passes) -%}
{%- for grouping in groupings -%}
{%- set partition = [] -%}
{%- for column in grouping -%}{%- do partition.append('(counted._cell).' ~ column) -%}{%- endfor -%}
{%- set order = [] -%}
{%- for column in tiebreak -%}{%- do order.append('(counted._cell).' ~ column) -%}{%- endfor -%}
{%- set ns.query -%}
select ranked._cell, ranked._s or (ranked._n = 1 and ranked._r = 1 and not ranked._s) as _s
from (
    select counted._cell, counted._s,
        count(*) filter (where counted._s) over (partition by {{ partition | join(', ') }}) as _n,
        row_number() over (
            partition by {{ partition | join(', ') }}
            order by counted._s, coalesce({{ count }}, 0) = 0, {{ count }}, {{ order | join(', ') }}
        ) as _r
    from ({{ ns.query }}) as counted
) as ranked
{%- endset -%}
{%- endfor -%}
{%- endfor -%}
select (protected._cell).*, protected._s as {{ flag_column }}
from ({{ ns.query }}) as protected
{% endmacro %}

{#-
  suppress_count_columns(relation, columns, groupings, tiebreak, passes) protects several count
  columns of one relation, each on its own: selects every column of `relation` plus
  `<column>_is_suppressed` for each of `columns`, computed by suppress_small_counts with the
  same groupings, tiebreak and passes. A column's flag depends on that column alone; the caller
  withholds a rate when any count it uses is withheld.
-#}
{% macro suppress_count_columns(relation, columns, groupings, tiebreak, passes=none) %}
{%- set ns = namespace(query='select * from ' ~ relation) -%}
{%- for column in columns -%}
{%- set ns.query = suppress_small_counts(
    '(' ~ ns.query ~ ')', column, groupings, tiebreak, passes=passes,
    flag_column=column ~ '_is_suppressed'
) -%}
{%- endfor -%}
{{ ns.query }}
{% endmacro %}
