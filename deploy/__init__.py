"""The production topology, runnable on one machine: ``make cluster`` (deploy/cluster.py).

nginx balancing over app instances, PgBouncer in transaction mode in front of
PostgreSQL, uploads in an S3-API object store. Each part is started from its
Debian or PyPI package by a module here; the tests start PgBouncer and the
object store through the same modules. docs/DEPLOY.md describes the topology.
"""
