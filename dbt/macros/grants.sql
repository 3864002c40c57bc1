{#- Grants that never fail on a missing role.

    The sna models carry `grants: {select: [var('dashboard_role')]}` (dbt_project.yml). Roles are
    cluster-wide, but a build against a fresh cluster (CI, a colleague's laptop) may not have the
    dashboard role yet: then the grant is skipped with a log line instead of failing the build. -#}

{% macro existing_roles(grantees) -%}
    {%- set wanted = grantees | reject('none') | list -%}
    {%- if not wanted or not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set literals = [] -%}
    {%- for role in wanted -%}
        {%- do literals.append("'" ~ role | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {%- set found = run_query(
        "select rolname from pg_catalog.pg_roles where rolname in (" ~ literals | join(", ") ~ ")"
    ) -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}


{#- Overrides dbt's built-in grant step on Postgres: drop grantees that do not exist. -#}
{% macro postgres__apply_grants(relation, grant_config, should_revoke=True) -%}
    {%- set filtered = {} -%}
    {%- for privilege, grantees in (grant_config or {}).items() -%}
        {%- set present = existing_roles(grantees) -%}
        {%- for missing in grantees if missing not in present -%}
            {{ log("grant " ~ privilege ~ " on " ~ relation ~ " skipped: role '" ~ missing ~ "' does not exist", info=true) }}
        {%- endfor -%}
        {%- if present -%}
            {%- do filtered.update({privilege: present}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(default__apply_grants(relation, filtered, should_revoke)) }}
{%- endmacro %}


{#- on-run-end: read access for the roles that read the warehouse, on every table dbt just
    (re)built: the dashboard role reads sna only (in a build, also sna_next, the sna to be);
    analysts read sna and the marts that hold no person-level linked data; person-level marts
    (a column `person_key` or `..._person_key`: one row per linked person or sighting of one)
    are for the explicit linked-data analyst role only.
    Roles or schemas that do not exist are skipped with a log line. -#}
{% macro grant_read_access() -%}
    {%- set analyst = var('analyst_role', 'svdw_analyst') -%}
    {%- set linked = var('analyst_linked_role', 'svdw_analyst_linked') -%}
    {%- set sna_readers = [analyst, linked, var('dashboard_role', 'svdw_dashboard')] -%}
    {#- in a build, also the shadow schema the sna models are built in (generate_schema_name):
        its grants go with it when finish_build renames it to sna -#}
    {%- set readers = {
        'marts': [analyst, linked],
        'sna': sna_readers,
        generate_schema_name('sna', none) | trim: sna_readers,
    } -%}
    {%- set statements = [] -%}
    {%- if execute -%}
        {%- for schema, roles in readers.items() -%}
            {%- set schema_found = run_query(
                "select 1 from pg_catalog.pg_namespace where nspname = '" ~ schema ~ "'"
            ) -%}
            {%- for role in existing_roles(roles) if schema_found.rows | length > 0 -%}
                {%- do statements.append("grant usage on schema " ~ schema ~ " to " ~ adapter.quote(role)) -%}
                {%- do statements.append("grant select on all tables in schema " ~ schema ~ " to " ~ adapter.quote(role)) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if analyst in existing_roles([analyst]) -%}
            {%- for table in person_level_tables('marts') -%}
                {%- do statements.append("revoke select on marts." ~ adapter.quote(table) ~ " from " ~ adapter.quote(analyst)) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- if statements -%}
        {{ statements | join(";\n") }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- Tables of a schema with a person-level column (person_key, victim_person_key, ...). -#}
{% macro person_level_tables(schema) -%}
    {%- set found = run_query(
        "select distinct c.relname from pg_catalog.pg_class c"
        ~ " join pg_catalog.pg_namespace n on n.oid = c.relnamespace"
        ~ " join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped"
        ~ " where n.nspname = '" ~ schema ~ "' and c.relkind in ('r', 'v', 'm', 'p')"
        ~ " and a.attname ~ '(^|_)person_key$' order by 1"
    ) -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}
