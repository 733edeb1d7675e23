"""Assessment procedures, their calendar in schools, and the results schools post."""
