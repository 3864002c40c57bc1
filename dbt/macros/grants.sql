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


{#- on-run-end: let the dashboard role into schema sna (select on each sna model comes from the
    models' `grants:` config). Skipped when the role or the schema does not exist. -#}
{% macro grant_sna_schema_usage() -%}
    {%- set role = var('dashboard_role', 'svdw_dashboard') -%}
    {%- if execute and role -%}
        {%- set found = run_query(
            "select 1 from pg_catalog.pg_roles r, pg_catalog.pg_namespace n"
            ~ " where r.rolname = '" ~ role | replace("'", "''") ~ "' and n.nspname = 'sna'"
        ) -%}
        {%- if found.rows | length > 0 -%}
            grant usage on schema sna to {{ adapter.quote(role) }}
        {%- else -%}
            {{ log("role '" ~ role ~ "' or schema sna missing: usage on schema sna not granted", info=true) }}
            select 1
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
