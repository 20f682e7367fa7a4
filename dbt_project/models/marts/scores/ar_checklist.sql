-- A&R checklist: audio-feature segments with their observed hit rate, a Wilson interval, the
-- model's mean hit probability, and a reading for scouts. Three families:
--   danceability x energy  the 9 cells of kpi_audio_segments (kept tracks with measured audio)
--   tempo band             the 10-BPM bands of kpi_tempo_bands (same population)
--   model hit probability  bands of the latest run's hit probability, held-out test tracks only
--                          (in-sample probabilities would flatter the model); empty before a run.
-- The reference rate of a segment is its family's overall hit rate. segment_rule states the
-- thresholds; scout_signal is the reading (macros/scores.sql: ar_signal).
{%- set dance_cuts = kpi_danceability_cuts() %}
{%- set energy_cuts = kpi_energy_cuts() %}
{%- set probability_lower = [0] + ar_probability_cuts() %}
{%- set probability_upper = ar_probability_cuts() + [1] %}

with audio_segments as (
    select * from {{ ref('kpi_audio_segments') }}
),

tempo_bands as (
    select * from {{ ref('kpi_tempo_bands') }}
),

scores as (
    select
        uri,
        split,
        is_hit,
        hit_probability
    from {{ ref('track_scores') }}
    where hit_probability is not null
),

scored_audio as (
    select
        {{ kpi_audio_band('tracks.danceability', dance_cuts[0], dance_cuts[1]) }} as danceability_band,
        {{ kpi_audio_band('tracks.energy', energy_cuts[0], energy_cuts[1]) }} as energy_band,
        tracks.tempo_band,
        scores.hit_probability
    from {{ ref('kpi_tracks') }} as tracks
    inner join scores using (uri)
    where tracks.in_audio_trends
),

audio_probability as (
    select
        danceability_band,
        energy_band,
        count(*) as scored_tracks,
        avg(hit_probability) as mean_hit_probability
    from scored_audio
    group by danceability_band, energy_band
),

tempo_probability as (
    select
        tempo_band,
        count(*) as scored_tracks,
        avg(hit_probability) as mean_hit_probability
    from scored_audio
    group by tempo_band
),

audio_rows as (
    select
        1 as family_order,
        'danceability x energy' as segment_type,
        audio_segments.segment,
        {{ ar_band_rule('danceability', 'audio_segments.danceability_from', 'audio_segments.danceability_to') }}
        || ' and '
        || {{ ar_band_rule('energy', 'audio_segments.energy_from', 'audio_segments.energy_to') }} as segment_rule,
        'kept tracks with measured audio' as population,
        audio_segments.danceability_from * 10 + audio_segments.energy_from as sort_key,
        audio_segments.tracks,
        audio_segments.tracks_with_streams as labelled_tracks,
        audio_segments.hit_tracks,
        audio_segments.hit_rate,
        coalesce(audio_probability.scored_tracks, 0) as scored_tracks,
        audio_probability.mean_hit_probability
    from audio_segments
    left join audio_probability
        on
            audio_segments.danceability_band = audio_probability.danceability_band
            and audio_segments.energy_band = audio_probability.energy_band
),

tempo_rows as (
    select
        2 as family_order,
        'tempo band' as segment_type,
        tempo_bands.tempo_band_label as segment,
        tempo_bands.tempo_band || ' <= tempo < ' || tempo_bands.tempo_band_upper || ' BPM' as segment_rule,
        'kept tracks with measured audio' as population,
        tempo_bands.tempo_band as sort_key,
        tempo_bands.tracks,
        tempo_bands.tracks_with_streams as labelled_tracks,
        tempo_bands.hit_tracks,
        tempo_bands.hit_rate,
        coalesce(tempo_probability.scored_tracks, 0) as scored_tracks,
        tempo_probability.mean_hit_probability
    from tempo_bands
    left join tempo_probability on tempo_bands.tempo_band = tempo_probability.tempo_band
),

probability_bounds as (
    {%- for lower in probability_lower %}
    select
        {{ loop.index }} as band_order,
        cast({{ lower }} as double) as band_from,
        cast({{ probability_upper[loop.index0] }} as double) as band_to
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

held_out as (
    select
        case
            {%- for cut in ar_probability_cuts() %}
            when hit_probability < {{ cut }} then {{ loop.index }}
            {%- endfor %}
            else {{ probability_upper | length }}
        end as band_order,
        is_hit,
        hit_probability
    from scores
    where split = 'test'
),

probability_rows as (
    select
        3 as family_order,
        'model hit probability' as segment_type,
        'hit probability ' || probability_bounds.band_from || '-' || probability_bounds.band_to as segment,
        probability_bounds.band_from || ' <= hit probability '
        || case when probability_bounds.band_to >= 1 then '<= ' else '< ' end
        || probability_bounds.band_to as segment_rule,
        'held-out test tracks of the latest run' as population,
        probability_bounds.band_order as sort_key,
        count(*) as tracks,
        count(held_out.is_hit) as labelled_tracks,
        {{ kpi_hit_count('held_out.is_hit') }} as hit_tracks,
        {{ kpi_hit_rate('held_out.is_hit') }} as hit_rate,
        count(*) as scored_tracks,
        avg(held_out.hit_probability) as mean_hit_probability
    from probability_bounds
    inner join held_out using (band_order)
    group by probability_bounds.band_order, probability_bounds.band_from, probability_bounds.band_to
),

segments as (
    select * from audio_rows
    union all
    select * from tempo_rows
    union all
    select * from probability_rows
),

referenced as (
    select
        *,
        sum(hit_tracks) over (partition by segment_type)
        / nullif(sum(labelled_tracks) over (partition by segment_type), 0) as reference_hit_rate
    from segments
)

select
    cast(row_number() over (order by family_order, sort_key) as integer) as checklist_order,
    segment_type,
    segment,
    segment_rule,
    population,
    cast(tracks as bigint) as tracks,
    cast(labelled_tracks as bigint) as labelled_tracks,
    cast(hit_tracks as bigint) as hit_tracks,
    hit_rate,
    {{ wilson_bound('hit_tracks', 'labelled_tracks', -1) }} as hit_rate_ci_low,
    {{ wilson_bound('hit_tracks', 'labelled_tracks', 1) }} as hit_rate_ci_high,
    cast(reference_hit_rate as double) as reference_hit_rate,
    {{ kpi_lift('hit_rate', 'reference_hit_rate') }} as hit_rate_lift,
    cast(scored_tracks as bigint) as scored_tracks,
    mean_hit_probability,
    {{ ar_signal('hit_tracks', 'labelled_tracks', 'reference_hit_rate') }} as scout_signal
from referenced
