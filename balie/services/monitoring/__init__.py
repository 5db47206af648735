"""Monitoring: anonymous figures on how the PHB is used, per gemeente and period."""
