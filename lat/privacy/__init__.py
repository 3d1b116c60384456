"""Erasure (``lat forget``) and retention (``lat retention``): removing people's data from
the store and from everything derived from it."""
