"""Writes of the long-term-care module: assessments, applications, institutions and services,
and the exchanges with the peer region."""
