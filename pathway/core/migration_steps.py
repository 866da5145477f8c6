"""Steps that data migrations share.

Adding a unique UUID to a table that has rows takes three steps (nullable, filled, unique),
because a default is evaluated once per migration, not once per row.
"""

import uuid


def fill_uuids(app_label, model_name, field_name):
    """A RunPython step giving each row of the model its own random UUID in `field_name`."""

    def fill(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        if schema_editor.connection.vendor == "postgresql":
            # One statement, however many rows (gen_random_uuid is built in from PostgreSQL 13).
            schema_editor.execute(
                f'UPDATE "{table}" SET "{field_name}" = gen_random_uuid()'  # noqa: S608  # nosec B608
            )
            return
        for pk in model.objects.values_list("pk", flat=True).iterator():
            model.objects.filter(pk=pk).update(**{field_name: uuid.uuid4()})

    return fill
