"""Freeze and cap in Slack: `/partner freeze|unfreeze|cap`, the Freeze button (alert card,
Home) and *Sweep the excess* (the over-cap notice)."""
