"""Demo data for the sscard service: ``python manage.py seed_demo``."""
