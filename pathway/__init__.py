# Intentionally empty: `pathway.clinical` must import with plain Python, without Django.
# The Celery app is loaded when Django starts (pathway.core.apps) and by `celery -A pathway`.
