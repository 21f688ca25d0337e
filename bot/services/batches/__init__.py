"""Batch moves: many credit moves under one approval, each row carried out exactly once."""
