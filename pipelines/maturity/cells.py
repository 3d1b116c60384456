"""The keys of maturity cells, and what counts as agreeing."""

from __future__ import annotations

CELL = ["school", "round", "area", "group"]
ITEM_CELL = ["school", "round", "area", "item", "group"]
AGREE_FROM = 4  # 4 agree, 5 strongly agree
