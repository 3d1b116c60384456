"""The questionnaires as data: SELFIE-style areas and items with their wording in every
language LAT speaks, versioned (``selfie-v1.toml``). Read by the reports (full item wording)."""
