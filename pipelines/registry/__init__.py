"""The registry family: the organisation (schools, hubs, countries, mentoring pairs) as marts."""
