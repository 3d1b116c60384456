"""What an existing LAT_HOME needs after an upgrade, done before any command runs."""

from __future__ import annotations

from lat.config import get_settings
from lat.errors import LatError
from lat.store import marts
from pipelines.core.catalogue import MARTS, as_data
from pipelines.core.families import load_catalogue


def describe_old_marts() -> None:
    """Give marts published by an older LAT, which wrote no catalogue beside them, the catalogue
    the role policy reads, so that an existing LAT_HOME keeps working after an upgrade."""
    try:
        directory = marts.undescribed(get_settings())
    except (LatError, ValueError):
        return  # a bad setting: the command itself says which
    if directory is not None:
        load_catalogue()
        marts.describe(directory, as_data(MARTS))
