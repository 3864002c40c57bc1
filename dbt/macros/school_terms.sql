{#-
  school_terms(relation)
  The school terms present in `relation` (a school fact with academic_year and term, e.g.
  ref('fct_school_attendance')), one row each: academic_year, term, term_sort_order (Autumn 1,
  Spring 2, Summer 3: the order of the school year, which the names do not sort into; any other
  term is NULL). Written once so every school model orders and protects terms the same way.
  Takes the relation rather than calling ref() so the model's inputs stay visible in it.
-#}
{% macro school_terms(relation) -%}
select distinct
        academic_year,
        term,
        case term when 'Autumn' then 1 when 'Spring' then 2 when 'Summer' then 3 end
            as term_sort_order
    from {{ relation }}
{%- endmacro %}
