-- Danceability x energy grid (fixed cut points, macros/kpi.sql) over tracks with measured
-- audio: every one of the 9 cells is a row, empty or not. The high x high cell is exactly
-- "danceability > 0.7 and energy > 0.8" (flag dance_gt_0_7_energy_gt_0_8).
{%- set dance_cuts = kpi_danceability_cuts() %}
{%- set energy_cuts = kpi_energy_cuts() %}

with tracks as (
    select
        {{ kpi_audio_band('danceability', dance_cuts[0], dance_cuts[1]) }} as danceability_band,
        {{ kpi_audio_band('energy', energy_cuts[0], energy_cuts[1]) }} as energy_band,
        *
    from {{ ref('kpi_tracks') }}
    where in_audio_trends
),

danceability_bands as (
    select
        'low' as danceability_band,
        1 as danceability_order,
        0.0 as danceability_from,
        {{ dance_cuts[0] }} as danceability_to
    union all
    select
        'mid' as danceability_band,
        2 as danceability_order,
        {{ dance_cuts[0] }} as danceability_from,
        {{ dance_cuts[1] }} as danceability_to
    union all
    select
        'high' as danceability_band,
        3 as danceability_order,
        {{ dance_cuts[1] }} as danceability_from,
        1.0 as danceability_to
),

energy_bands as (
    select
        'low' as energy_band,
        1 as energy_order,
        0.0 as energy_from,
        {{ energy_cuts[0] }} as energy_to
    union all
    select
        'mid' as energy_band,
        2 as energy_order,
        {{ energy_cuts[0] }} as energy_from,
        {{ energy_cuts[1] }} as energy_to
    union all
    select
        'high' as energy_band,
        3 as energy_order,
        {{ energy_cuts[1] }} as energy_from,
        1.0 as energy_to
),

overall as (
    select
        count(*) as all_tracks,
        median(stream) as overall_median_streams,
        {{ kpi_hit_rate('is_hit') }} as overall_hit_rate
    from tracks
),

aggregated as (
    select
        danceability_band,
        energy_band,
        count(*) as tracks,
        count(*) filter (where in_stream_kpis) as tracks_with_streams,
        median(stream) as median_streams,
        {{ kpi_hit_count('is_hit') }} as hit_tracks,
        {{ kpi_hit_rate('is_hit') }} as hit_rate
    from tracks
    group by danceability_band, energy_band
),

grid as (
    select
        'danceability ' || danceability_bands.danceability_band || ' x energy ' || energy_bands.energy_band as segment,
        danceability_bands.danceability_band,
        energy_bands.energy_band,
        danceability_bands.danceability_order,
        energy_bands.energy_order,
        cast(danceability_bands.danceability_from as double) as danceability_from,
        cast(danceability_bands.danceability_to as double) as danceability_to,
        cast(energy_bands.energy_from as double) as energy_from,
        cast(energy_bands.energy_to as double) as energy_to
    from danceability_bands
    cross join energy_bands
)

select
    grid.segment,
    grid.danceability_band,
    grid.energy_band,
    grid.danceability_from,
    grid.danceability_to,
    grid.energy_from,
    grid.energy_to,
    grid.danceability_band = 'high' and grid.energy_band = 'high' as dance_gt_0_7_energy_gt_0_8,
    coalesce(aggregated.tracks, 0) as tracks,
    cast(coalesce(aggregated.tracks, 0) as double) / nullif(overall.all_tracks, 0) as share_of_tracks,
    coalesce(aggregated.tracks_with_streams, 0) as tracks_with_streams,
    aggregated.median_streams,
    {{ kpi_lift('aggregated.median_streams', 'overall.overall_median_streams') }} as median_streams_lift,
    coalesce(aggregated.hit_tracks, 0) as hit_tracks,
    aggregated.hit_rate,
    overall.overall_hit_rate,
    {{ kpi_lift('aggregated.hit_rate', 'overall.overall_hit_rate') }} as hit_rate_lift
from grid
cross join overall
left join aggregated
    on
        grid.danceability_band = aggregated.danceability_band
        and grid.energy_band = aggregated.energy_band
order by grid.danceability_order, grid.energy_order
