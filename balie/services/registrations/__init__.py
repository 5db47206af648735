"""Registrations: submitting, routing, duplicates, sealed personal data, the JGZ inbox, advice cards."""
