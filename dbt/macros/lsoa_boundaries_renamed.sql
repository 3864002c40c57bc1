{#-
  lsoa_boundaries_renamed(relation)
  The `renamed` select of an ONS LSOA boundaries staging model (2011 or 2021 LSOAs: the raw
  tables have the same columns): trimmed code and name, the polygon as GeoJSON (jsonb), the
  batch. Pass the model's `source` CTE.
-#}
{% macro lsoa_boundaries_renamed(relation) -%}
select
        upper(trim(lsoa_code))          as lsoa_code,
        trim(lsoa_name)                 as lsoa_name,
        cast(geometry as jsonb)         as geometry,
        cast(_batch_id as bigint)       as _batch_id

    from {{ relation }}
{%- endmacro %}
