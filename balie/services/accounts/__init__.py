"""Staff accounts: their life from invitation to disabling, the administrator's audited actions,
logging in, passwords, sessions, the second factor, and names for history pages."""
