"""Writes on the core registries. Each service validates, runs in one transaction, and raises
django.core.exceptions.ValidationError (with field names) on bad input, changing nothing."""
