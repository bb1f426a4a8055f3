"""Interviewers backed by real LLM providers."""
