"""Tests of playground.figures."""
