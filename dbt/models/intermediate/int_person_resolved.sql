-- Person resolution: one row per pseudonymous identifier (type + keyed hash) with the person it
-- belongs to. Identifiers that share a source row are linked; linked identifiers, directly or
-- through a chain (A's UPN on a youth justice case that also has B's PNC id, which the police
-- extract pairs with a nominal id, ...), are one person: the connected components of the graph.
--
-- Method: min-label propagation, unrolled into var('person_resolution_iterations') joins. Every
-- identifier starts labelled with itself; each step takes the smallest label among itself and its
-- neighbours. After as many steps as the longest shortest path in a component, every identifier
-- carries the component's smallest identifier. A recursive CTE would stop by itself, but it
-- walks every path (the transitive closure, quadratic in a component's size) and PostgreSQL's
-- recursive CTEs cannot aggregate (min) inside the recursion; a fixed number of set-based joins
-- is predictable and cheap. One further step is computed as a check: `is_resolution_stable` is
-- false for an identifier whose label would still change, and a test fails the build then
-- (raise the var). Sources link at most five identifier types, so chains are short.
--
-- person_key = SHA-256 (hex) of the component's smallest identifier node (64 hex characters,
-- the same shape as the keyed hashes it replaces in the facts): stable while the person's
-- identifiers stay unlinked to a smaller one; when a new source row joins two components, the
-- merged person takes the smaller one's key.
{{ config(materialized='table', schema='intermediate') }}
{%- set iterations = var('person_resolution_iterations', 8) | int %}

with

sightings as (

    select distinct source_name, source_row_key, identifier_type, identifier_key, identifier_node
    from {{ ref('int_person_identifiers') }}

),

nodes as (

    select distinct identifier_type, identifier_key, identifier_node from sightings

),

-- each row's identifiers are linked to the row's smallest one (a star: enough for connectivity)
row_anchors as (

    select source_name, source_row_key, min(identifier_node) as anchor_node
    from sightings
    group by source_name, source_row_key
    having count(distinct identifier_node) > 1

),

edges as (

    select sightings.identifier_node as node, row_anchors.anchor_node as neighbour
    from sightings
    inner join row_anchors
        on sightings.source_name = row_anchors.source_name
        and sightings.source_row_key = row_anchors.source_row_key
    where sightings.identifier_node <> row_anchors.anchor_node

    union

    select row_anchors.anchor_node, sightings.identifier_node
    from sightings
    inner join row_anchors
        on sightings.source_name = row_anchors.source_name
        and sightings.source_row_key = row_anchors.source_row_key
    where sightings.identifier_node <> row_anchors.anchor_node

),

labels_0 as (

    select identifier_node as node, identifier_node as label from nodes

),

{% for step in range(1, iterations + 2) %}
labels_{{ step }} as (

    select own.node, least(own.label, min(neighbours.label)) as label
    from labels_{{ step - 1 }} as own
    left join edges
        on own.node = edges.node
    left join labels_{{ step - 1 }} as neighbours
        on edges.neighbour = neighbours.node
    group by own.node, own.label

),

{% endfor %}
final as (

    select
        nodes.identifier_type,
        nodes.identifier_key,
        nodes.identifier_node,
        encode(sha256(convert_to(resolved.label, 'UTF8')), 'hex') as person_key,
        count(*) over (partition by resolved.label)             as person_identifier_count,
        resolved.label = checked.label                          as is_resolution_stable
    from nodes
    inner join labels_{{ iterations }} as resolved
        on nodes.identifier_node = resolved.node
    inner join labels_{{ iterations + 1 }} as checked
        on nodes.identifier_node = checked.node

)

select * from final
