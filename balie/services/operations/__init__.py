"""Running the desk: backups and the drill, key rotation, retention, reference data."""
