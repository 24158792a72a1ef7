"""Scheduled work: beat jobs with a run lock, per-tenant batched sweeps, and the sweeps."""
