"""Spend anomalies in Slack: the alert card and DM, its feedback buttons, `/partner anomaly`."""
