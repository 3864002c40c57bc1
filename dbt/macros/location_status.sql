{#- Where a record's LSOA puts it: 'in_area' (an LSOA of the partnership, 2011 or 2021 code),
    'outside_area' (an LSOA elsewhere) or 'unlocated' (no LSOA). Every fact that carries an
    LSOA says which, so no record drops out of the geography unseen (sna_geography_coverage). -#}
{% macro location_status(source_lsoa_code, located_lsoa_code) -%}
    case
        when nullif(trim({{ source_lsoa_code }}), '') is null then 'unlocated'
        when {{ located_lsoa_code }} is not null then 'in_area'
        else 'outside_area'
    end
{%- endmacro %}
