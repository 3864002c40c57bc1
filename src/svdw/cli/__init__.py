"""svdw: the Serious Violence Duty warehouse from the command line.

The same library code the Airflow tasks run, for data engineers working outside Airflow.
"""

from svdw.cli import (  # noqa: F401  (they register their commands)
    archive,
    batches,
    extracts,
    recovery,
    report,
    setup,
    warehouse,
)
from svdw.cli.app import app

__all__ = ["app"]

if __name__ == "__main__":
    app()
