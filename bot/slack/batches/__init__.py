"""`/partner batch`: many credit moves from one CSV, under one approval."""
