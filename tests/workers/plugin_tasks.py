"""A task module a test plugin registers through ``register_task_modules``."""

from celery import shared_task


@shared_task(name="shomei.default.plugin_echo")
def plugin_echo(text: str) -> str:
    return text
