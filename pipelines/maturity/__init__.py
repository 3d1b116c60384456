"""The maturity family: SELFIE-style maturity per school, round, area, item and group."""
