"""The ``specc`` command line: the only package that prints, colours or exits."""
