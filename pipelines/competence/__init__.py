"""The competence family: teachers' DigCompEdu self-assessments per school, round and area."""
