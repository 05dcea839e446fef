"""The ledger engine: lifecycle events in GS1 EPCIS 2.0, captured all or nothing and queried."""
