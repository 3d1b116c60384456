"""The organisation registry (countries, hubs, schools, people, mentoring pairs) and the
attribution of statements to schools and hubs."""
