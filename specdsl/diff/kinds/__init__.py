"""The change kinds by theme; :mod:`specdsl.diff.changes` lists them all in one registry."""
