"""The credit-request feature in Slack: its commands and buttons (asking, deciding), its
views and texts, and `events`, the Slack side of the service's RequestEvents."""
