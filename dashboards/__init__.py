"""The Dash app: reads published marts only, scoped to the logged-in user's role."""
