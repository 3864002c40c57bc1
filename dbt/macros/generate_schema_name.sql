{#- Use a model's custom schema verbatim (staging, marts, sna) instead of dbt's default
    "<target_schema>_<custom>"; models without one go to the target schema.

    Inside a warehouse build, the sna models go to the shadow schema sna_next instead: the
    dashboards keep reading the last good build in sna until svdw.snapshot.finish_build swaps
    sna_next in, in one transaction, after every model and test passed. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'sna' and in_warehouse_build() -%}
        sna_next
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}


{#- A pinned build runs this dbt invocation: the Airflow DAG passes the var svdw_build_id,
    `svdw build` sets SVDW_DBT_SHADOW_SCHEMAS (svdw.transform.run_dbt). Not SVDW_DBT_BUILD_ID:
    schema names are fixed when dbt parses, and an environment variable read at parse time whose
    value changes every build would make dbt parse the whole project again every build; this
    one only says "a build" (dbt/macros/pinned_source.sql). dbt docs, dbt parse and ad-hoc runs
    set neither, so their names stay sna. -#}
{% macro in_warehouse_build() -%}
    {{ return(
        var('svdw_build_id', none) is not none
        or env_var('SVDW_DBT_SHADOW_SCHEMAS', '') | trim == 'true'
    ) }}
{%- endmacro %}
