"""Partner Ops in a terminal: the real app, against the Slack emulator (and the sandbox)."""
