"""Stage 3: the engine — dispatch, the frontier's targets, readers in this process or in worker processes."""
