"""Celery workers: thin tasks that call core services, queues, signals and the beat schedule."""
