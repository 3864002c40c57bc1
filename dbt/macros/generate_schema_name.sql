{#- Use a model's custom schema verbatim (staging, marts, sna) instead of dbt's default
    "<target_schema>_<custom>"; models without one go to the target schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
