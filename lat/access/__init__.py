"""Who may do what: users and their scopes, passwords, sessions, OpenID Connect, the audit log
and the role policy (:mod:`lat.access.policy`) that every read of published marts asks."""
