"""Hub and country roll-ups of school cells (maturity, competence) and hub comparisons."""
