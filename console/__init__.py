"""Shop Console: the app core (config, auth, API client, models, admin services)."""
