"""JSON API under /api/v1 for university systems and tools, with its OpenAPI document."""
