"""Writes of the gas module: registries, event capture, colours, orders and safety checks."""
