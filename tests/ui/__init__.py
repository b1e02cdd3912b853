"""Tests of playground.ui that parse its sources: the owner of each session-state key, settling in one place."""
