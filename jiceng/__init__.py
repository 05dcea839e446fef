"""Jiceng (基层): grassroots public services and governance for a county."""
