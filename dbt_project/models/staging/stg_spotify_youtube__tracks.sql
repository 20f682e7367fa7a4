{{ rename_raw_columns(source('spotify_youtube', 'raw_tracks')) }}
