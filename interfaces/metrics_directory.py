"""The directory `prometheus_client` shares metrics through when `oversight serve --workers N`
runs several API processes.

The client reads `PROMETHEUS_MULTIPROC_DIR` once, when it is first imported, and then every
process writes its counters there and a scrape of any one adds them all up. So `serve` makes a
fresh directory for each start (old files would add the last run's counts to this one's),
names it in the environment before anything imports the client, in this process and in the
API processes it starts (they inherit the environment), and deletes it when serving ends.
Only the standard library here: importing this must not import the client.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"


class MetricsAlreadyLoaded(RuntimeError):
    """The metrics client was imported before its directory was named: too late to share."""


@contextmanager
def shared_metrics_directory(processes: int) -> Iterator[Path | None]:
    """A fresh directory for the metrics of `processes` API processes (None for one: a single
    process keeps its metrics in memory), named in the environment while serving, deleted
    after."""
    if processes <= 1:
        yield None
        return
    if "prometheus_client" in sys.modules:
        raise MetricsAlreadyLoaded("name the metrics directory before importing the service")
    directory = Path(tempfile.mkdtemp(prefix="oversight-metrics-"))
    previous = os.environ.get(MULTIPROCESS_DIRECTORY)
    os.environ[MULTIPROCESS_DIRECTORY] = str(directory)
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop(MULTIPROCESS_DIRECTORY, None)
        else:
            os.environ[MULTIPROCESS_DIRECTORY] = previous
        shutil.rmtree(directory, ignore_errors=True)
