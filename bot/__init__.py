"""Partner Ops: Slack chat-ops for SMS, Mail and Voice Partner accounts."""

__version__ = "0.1.0"
