"""Evaluation and prediction: features, kNN, linear evaluation, classifying images, result cards."""
