"""Tests of playground.training: limits, runs, fit, jobs, the scheduler and its backends."""
