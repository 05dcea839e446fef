"""Checklists answered on site (检查): the shared inspections engine. Modules register what
they inspect; failed items open cases; a re-inspection that passes an item lets its case
close."""
