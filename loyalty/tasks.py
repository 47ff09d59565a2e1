"""Celery finds a Django app's tasks in its ``tasks`` module: the loyalty packages' tasks."""

from loyalty.expiry_jobs.tasks import expire_points_task  # noqa: F401
