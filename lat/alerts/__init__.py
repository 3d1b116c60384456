"""E-mail alerts: what changed in each mentor's and hub coordinator's scope (``lat alerts``).

findings (what to tell, read through the role policy) -> messages (EN/PL text) -> mailer
(SMTP) -> sent (what was sent, so each alert goes out once). See docs/alerts.md.
"""
