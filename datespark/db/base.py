"""PostgreSQL backend that connects to the embedded server, starting it lazily.

Django only opens a connection when a query needs one, so ``check`` and
``makemigrations`` never start a database; the first real query does.
"""

from typing import Any

from django.db.backends.postgresql import base

from datespark import embedded_db


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        params["host"] = embedded_db.ensure_running()
        return params
