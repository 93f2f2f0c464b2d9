"""PostgreSQL backend that connects to the embedded server, starting it lazily.

Django only opens a connection when a query needs one, so ``check`` and
``makemigrations`` never start a database; the first real query does. A
HOST in the settings (a pooler in front of the embedded server, as the
pooled tests set) is used as it is; the server is still started first.
"""

from typing import Any

from django.db.backends.postgresql import base

from datespark import embedded_db


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        socket_dir = embedded_db.ensure_running()
        if not self.settings_dict.get("HOST"):
            params["host"] = socket_dir
        return params
