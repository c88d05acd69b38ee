"""JSON API clients (httpx): platforms whose public data comes as JSON rather than pages."""
