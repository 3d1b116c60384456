"""The profiles family: schools clustered by their SELFIE area scores, each cluster in words."""
