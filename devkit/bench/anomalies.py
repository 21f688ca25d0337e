"""`bench anomalies`: false alerts, detection and delays per k, replay speed (the bench itself
lives with the generator in devkit/anomalies/)."""

from devkit.anomalies.bench import main

__all__ = ["main"]
