"""Voting advice application: the domain, importable without the web stack."""
