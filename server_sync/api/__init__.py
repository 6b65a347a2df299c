"""The device API under /api/v1: one router per resource."""

API_PREFIX = "/api/v1"
