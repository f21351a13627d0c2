"""Pre-training: the training loop, optimisers, schedules, atomic checkpoints, run log, data parallel."""
