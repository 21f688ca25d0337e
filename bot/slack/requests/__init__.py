"""The credit-request feature in Slack: its commands and buttons (asking, deciding), its
views and texts, and `notices`, the Slack side of the service's RequestNotices."""
