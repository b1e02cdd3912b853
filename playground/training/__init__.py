"""Training outside the script run: limits, jobs, the scheduler, backends, the worker, fit and run records."""
