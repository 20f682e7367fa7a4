"""The original study's claims (SPEC, "Honest evaluation"): shown beside the measured values,
never used to tune anything.

measured / spread / context name a figure for Lookup.reference: ('metric', model, variant,
split, metric) or ('kpi', column of marts.kpi_summary).
"""

from __future__ import annotations

from typing import Any

from ml.reporting.labels import (
    ACCURACY,
    CV_MEAN,
    CV_STD,
    F1,
    HIT,
    MEAN_BASELINE,
    MODEL,
    PR_AUC,
    R2,
    ROC_AUC,
    STREAM,
    TEST,
    VIEWS,
)

STUDY_CLAIMS: tuple[dict[str, Any], ...] = (
    {
        "key": "stream_r2",
        "label": "Stream model R²",
        "claimed": 0.847,
        "claimed_text": "0.847",
        "unit": "r2",
        "measured": ("metric", STREAM, MODEL, TEST, R2),
        "note": "measured on ln(1 + streams) for the held-out 20% of distinct tracks",
    },
    {
        "key": "stream_cv_r2",
        "label": "Stream model 5-fold CV R²",
        "claimed": 0.831,
        "claimed_spread": 0.012,
        "claimed_text": "0.831 ± 0.012",
        "unit": "r2",
        "measured": ("metric", STREAM, MODEL, CV_MEAN, R2),
        "spread": ("metric", STREAM, MODEL, CV_STD, R2),
        "note": "mean ± standard deviation over the folds of the training 80%",
    },
    {
        "key": "hit_accuracy",
        "label": "Hit classifier accuracy",
        "claimed": 0.923,
        "claimed_text": "92.3%",
        "unit": "share",
        "measured": ("metric", HIT, MODEL, TEST, ACCURACY),
        "context": (
            (
                ("metric", HIT, MEAN_BASELINE, TEST, ACCURACY),
                "share",
                "accuracy of never predicting a hit",
            ),
        ),
        "note": (
            "with about 10% hits, always answering 'not a hit' is about 90% accurate (context): "
            "read ROC-AUC, PR-AUC and F1 instead"
        ),
    },
    {
        "key": "hit_f1",
        "label": "Hit classifier F1",
        "claimed": 0.918,
        "claimed_text": "0.918",
        "unit": "score",
        "measured": ("metric", HIT, MODEL, TEST, F1),
        "context": (
            (("metric", HIT, MODEL, TEST, ROC_AUC), "auc", "ROC-AUC"),
            (("metric", HIT, MODEL, TEST, PR_AUC), "auc", "PR-AUC"),
            (("metric", HIT, MEAN_BASELINE, TEST, PR_AUC), "auc", "PR-AUC by chance"),
        ),
        "note": "F1 of the hit class (positives) on held-out tracks",
    },
    {
        "key": "youtube_r2",
        "label": "YouTube views model R²",
        "claimed": 0.782,
        "claimed_text": "0.782",
        "unit": "r2",
        "measured": ("metric", VIEWS, MODEL, TEST, R2),
        "note": "ln(1 + views) of tracks with a video, from Spotify-side inputs only "
        "(no likes or comments)",
    },
    {
        "key": "correlation",
        "label": "Streams-views correlation",
        "claimed": 0.687,
        "claimed_text": "0.687",
        "unit": "correlation",
        "measured": ("kpi", "pearson_streams_views"),
        "context": (
            (("kpi", "pearson_log_streams_log_views"), "correlation", "log-log Pearson r"),
            (("kpi", "spearman_streams_views"), "correlation", "Spearman"),
        ),
        "note": "Pearson r of raw counts (context: log-log Pearson and Spearman)",
    },
    {
        "key": "video_lift",
        "label": "Official-video stream lift",
        "claimed": 0.437,
        "claimed_text": "+43.7%",
        "unit": "lift",
        "measured": ("kpi", "official_video_mean_stream_lift"),
        "context": ((("kpi", "official_video_median_stream_lift"), "lift", "lift of the medians"),),
        "note": "mean streams official / not official - 1 (context: the same on medians)",
    },
)
CLAIMED = {claim["key"]: claim["claimed"] for claim in STUDY_CLAIMS}
