"""Functions for the progress and is-completed endpoints: token check and read in one round trip,
with plans PostgreSQL keeps per connection (see coaching/sql.py)."""

from django.db import migrations

from coaching import sql


class Migration(migrations.Migration):
    dependencies = [("coaching", "0004_token_check_functions")]

    objects = ("user_progress_rows", "completion_state")

    operations = [migrations.RunSQL(sql=sql.create(*objects), reverse_sql=sql.drop(*objects))]
