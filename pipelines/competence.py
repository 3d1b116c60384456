"""placeholder"""
from __future__ import annotations
import polars as pl
def compute(sources, settings):  # noqa
    return {}
