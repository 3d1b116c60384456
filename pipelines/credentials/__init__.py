"""The credentials family: micro-credentials earned per school, hub, country and person."""
