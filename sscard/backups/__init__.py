"""Backups that restore: ``manage.py backup`` writes the database (``pg_dump`` or SQLite's
online backup) and the media folder (the stored files, still encrypted) into one folder with a
manifest; ``manage.py restore`` puts them into an empty database and media folder and checks
the result against the manifest. Neither ever holds a key: the keys are kept apart."""
