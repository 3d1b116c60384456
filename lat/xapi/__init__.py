"""xAPI itself: statement rules and validation, ids, the profile's vocabulary and its JSON-LD.

The lowest layer of LAT: it knows statements, never the store, the registry or users.
"""
