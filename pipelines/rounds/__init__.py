"""The rounds family: the product's one order of self-assessment rounds, published."""
