"""The views and functions of the tracking core (see coaching/sql.py).

The SQL text is shared with the staff init endpoint, so both always create
the same objects; ``migrate coaching 0001`` (or ``zero``) drops them again.
"""

from django.db import migrations

from coaching import sql


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_initial")]

    operations = [migrations.RunSQL(sql=sql.CREATE_ALL, reverse_sql=sql.DROP_ALL)]
