"""Federation between deployments: signed envelopes exchanged with peer deployments.

Each deployment (one county) holds an Ed25519 key pair. An administrator registers the other
deployments it trusts (peers) with their public keys. Every message between peers is a signed
envelope; the receiver refuses and records anything it cannot verify, and logs what it accepts.
Domain modules register handlers for the kinds of message they answer (`messaging`).
"""
