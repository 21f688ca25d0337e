"""Dev tools, apart from the product: a local Slack (`emulator`), a local fake of the Partner
APIs (`sandbox`), the stack that runs the real app between them (`stack`), and the terminal
console built on it. The tests and the benchmarks use them too.

Nothing under bot/slack, bot/services, bot/partner or bot/db imports this package
(tests/test_boundaries.py); `python -m bot console|sandbox|bench` import it lazily.
"""
