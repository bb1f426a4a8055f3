"""The ``interview`` command line."""
