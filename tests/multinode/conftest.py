"""The two-node cluster, started once for the package (tests/multinode/cluster.py)."""

import os
from collections.abc import Iterator

import pytest

from .cluster import Cluster, two_nodes


@pytest.fixture(scope="package")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        # Nodes share state through one database server (row locks, LISTEN/NOTIFY); the
        # embedded SQLite default is a single-machine setup, so there is nothing to test there.
        pytest.skip(
            "two nodes need a shared PostgreSQL server: run with "
            "DATABASE_URL=postgres://... (the PostgreSQL CI run does)"
        )
    with two_nodes(tmp_path_factory.mktemp("multinode")) as started:
        yield started
