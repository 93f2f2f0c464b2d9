"""The views and functions of the tracking core (see coaching/sql.py).

The SQL text is shared with the staff init endpoint, so both always create
the same objects; ``migrate coaching 0001`` (or ``zero``) drops them again.
"""

from django.db import migrations

from coaching import sql


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]

    objects = (
        "tool_progress",
        "user_coaching_progress",
        "mark_action_completed",
        "is_action_completed",
        "get_tool_completions",
    )

    operations = [migrations.RunSQL(sql=sql.create(*objects), reverse_sql=sql.drop(*objects))]
