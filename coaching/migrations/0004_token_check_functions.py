"""Functions that fold the token check into the API's hot queries (see coaching/sql.py).

``auth_token_valid`` is the one revocation rule; ``mark_completed_progress``
checks the token, marks through ``mark_action_completed`` and returns the
tool's progress in one round trip.
"""

from django.db import migrations

from coaching import sql


class Migration(migrations.Migration):
    dependencies = [("coaching", "0003_photo")]

    objects = ("auth_token_valid", "mark_completed_progress")

    operations = [migrations.RunSQL(sql=sql.create(*objects), reverse_sql=sql.drop(*objects))]
