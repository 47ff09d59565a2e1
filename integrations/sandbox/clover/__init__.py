"""Clover POS simulator: REST API v3 with merchant API tokens and Clover's per-token limits."""
