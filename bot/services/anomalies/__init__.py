"""Spend anomalies per subaccount, from balance readings alone (docs/anomalies.md).

Pure and Slack-free: no I/O, no clock; fed readings in time order, it answers with alerts.
"""

from bot.services.anomalies.detector import AnomalyDetector
from bot.services.anomalies.model import DEFAULT_FLOOR_PER_HOUR, Alert, Feedback, Reading, Tuning
from bot.services.anomalies.spend import interval_spend

__all__ = [
    "DEFAULT_FLOOR_PER_HOUR",
    "Alert",
    "AnomalyDetector",
    "Feedback",
    "Reading",
    "Tuning",
    "interval_spend",
]
