"""Hub and country roll-ups of maturity school cells, and hub comparisons (the competence roll-up is
:mod:`pipelines.competence.rollup`)."""
