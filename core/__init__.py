"""Process-wide configuration shared by the web app and the CLI."""
