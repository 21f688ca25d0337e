"""`bench anomalies`: false alerts, detection and delays per k, replay speed (the bench itself
lives with the generator in bot/devkit/anomalies/)."""

from bot.devkit.anomalies.bench import main

__all__ = ["main"]
