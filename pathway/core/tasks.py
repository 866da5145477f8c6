from celery import shared_task

from pathway.core import actions


@shared_task
def record_heartbeat(name="celery"):
    heartbeat = actions.record_heartbeat(name=name)
    return heartbeat.runs
