"""Orders and quotes: the order aggregate, its state machine, quotes and their conversion."""
