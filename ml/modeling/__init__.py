"""Modeling: model specs, dataset, training, evaluation, batch prediction and scoring, registry."""
