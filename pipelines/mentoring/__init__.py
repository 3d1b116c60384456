"""The mentoring families: progress of mentee schools, the stall rule and model (mentoring),
and the maturity change of mentored schools and of the others (outcome)."""
