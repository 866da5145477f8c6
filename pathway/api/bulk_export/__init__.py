"""Bulk Data export (FHIR Bulk Data Access IG, system level `$export`) for analysts' tools.

A commissioning area's or a service's client asks for everything it may see, or some types of
it, changed since a time; the answer is 202 and a status URL. A Celery task (pathway.api.tasks)
writes NDJSON files of the resources the API's read and search serve, built and scoped by the
same ResourceKind descriptions (pathway.api.catalogue), each record audited as exported. The
status URL then answers the manifest, whose file URLs only the same client may read, until
the beat deletes the export BULK_EXPORT_RETENTION_HOURS after it finished.

- kick_off.py: reading the request (Prefer, _type, _since, _outputFormat).
- actions.py: starting and cancelling an export.
- writing.py: the task's work, one chunk of rows at a time.
- upkeep.py: what the beat deletes and what it queues again.
- views.py: the kick-off, status and file endpoints.
"""
