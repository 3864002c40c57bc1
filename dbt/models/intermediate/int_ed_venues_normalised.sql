-- The place of each ISTV assault attendance as a normalised venue name: the one home of the
-- rules by which free-text locations ("Outside the Red Lion PH", "red lion", "RED LION!!") are
-- counted as one venue (the Cardiff Model's venue ranking). Lexical steps here, words in the
-- seed ed_venue_name_rules (which the partnership edits):
--   1. lower case; '&' and '+' become 'and'; apostrophes are dropped (McDonald's -> mcdonalds);
--      any other run of punctuation or white space becomes one space; trimmed;
--   2. leading words (rule leading_word: the, outside, in, at, near, behind, ...) are dropped from
--      the start, however many there are ("outside of the Crown" -> "crown");
--   3. each remaining word the seed abbreviates is written out (rule abbreviation), at any
--      position or only as the first word (st -> saint) or only after it (st -> street).
--   4. a name with a word of a private dwelling (rule private_word: home, flat, friends, ...) is
--      flagged is_private_place: a home is not a venue, and naming it could point at a household.
-- A description with nothing left (blank, or only leading words) has a NULL venue_name.
-- Set-based (words as rows, joined to the seed), so the rules stay data.
{{ config(materialized='table', schema='intermediate') }}

with

attendances as (

    select
        attendance_key,
        site_code,
        arrival_date,
        assault_date,
        assault_location_type,
        assault_location_description
    from {{ ref('stg_health__ed_assault_attendances') }}

),

rules as (

    select rule, word, replacement, word_position from {{ ref('ed_venue_name_rules') }}

),

cleaned as (

    select
        attendance_key,
        btrim(regexp_replace(
            regexp_replace(
                regexp_replace(lower(coalesce(assault_location_description, '')), '[&+]', ' and ', 'g'),
                '[''`’‘]', '', 'g'
            ),
            '[^[:alnum:]]+', ' ', 'g'
        ))                                                          as cleaned_description
    from attendances

),

words as (

    select cleaned.attendance_key, split.word, split.word_number
    from cleaned
    cross join lateral regexp_split_to_table(cleaned.cleaned_description, ' ')
        with ordinality as split (word, word_number)
    where cleaned.cleaned_description <> ''

),

-- the first word that is not a leading word: the venue name starts there
first_words as (

    select words.attendance_key, min(words.word_number) as first_word_number
    from words
    where words.word not in (select word from rules where rule = 'leading_word')
    group by words.attendance_key

),

named as (

    select
        words.attendance_key,
        string_agg(coalesce(rules.replacement, words.word), ' ' order by words.word_number)
                                                                    as venue_name,
        bool_or(words.word in (select word from rules where rule = 'private_word'))
                                                                    as is_private_place
    from words
    inner join first_words
        on words.attendance_key = first_words.attendance_key
        and words.word_number >= first_words.first_word_number
    left join rules
        on rules.rule = 'abbreviation'
        and rules.word = words.word
        and (
            rules.word_position = 'any'
            or (rules.word_position = 'first') = (words.word_number = first_words.first_word_number)
        )
    group by words.attendance_key

),

final as (

    select
        attendances.attendance_key,
        attendances.site_code,
        attendances.arrival_date,
        attendances.assault_date,
        attendances.assault_location_type,
        named.venue_name,
        coalesce(named.is_private_place, false)                     as is_private_place
    from attendances
    left join named
        on attendances.attendance_key = named.attendance_key

)

select * from final
