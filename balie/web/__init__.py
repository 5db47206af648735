"""Helpers of the web layer only: forms, templating, headers …"""
