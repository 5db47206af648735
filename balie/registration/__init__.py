"""The registration flow (form → check your answers → send → confirmation) that two blueprints
serve: the parent's own pages (``public``) and the professional's screen (``advice``: samen
aanmelden and direct referral). Web layer only: the use case itself is ``services.registrations``.

``flow`` holds the steps, ``forms`` the form (and the withdrawal form), ``spam`` the honeypot
and form tokens, and ``error_handlers`` what keeps her answers when the token expired, a limit
was hit or the database failed. A blueprint imports these, never another blueprint.
"""
