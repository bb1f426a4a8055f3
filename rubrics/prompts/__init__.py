"""Versioned Jinja2 templates of the LLM judge prompts."""
