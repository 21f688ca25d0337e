"""Synthetic balance histories for the anomaly detector, and its bench (docs/anomalies.md)."""
