"""`python -m bot bench <name>`: benchmarks anyone can rerun, against the sandbox and the Slack
emulator, with the real app as a process of its own (see docs/performance.md)."""
