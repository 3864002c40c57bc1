{#- Fails with one row per listed column that holds NULLs (column_name, null_rows), from ONE
    scan of the model: every NOT NULL rule of a model (a source table, a seed) is this one test,
    not a not_null test per column, because each test node costs dbt a fixed ~0.05-0.1 s
    (compile, a round trip, its result) whatever the table's size (docs/runbook.md, "What a
    build tests"). Columns that may be NULL in some rows get their own test with a `where`
    config. -#}
{% test columns_not_null(model, columns) %}
with null_counts as (
    select
    {%- for column in columns %}
        count(*) filter (where {{ adapter.quote(column) }} is null) as null_rows_{{ loop.index }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
select checked.column_name, checked.null_rows
from null_counts
cross join lateral (
    values
    {%- for column in columns %}
        ('{{ column | replace("'", "''") }}', null_rows_{{ loop.index }}){{ "," if not loop.last }}
    {%- endfor %}
) as checked (column_name, null_rows)
where checked.null_rows > 0
{% endtest %}
