"""JSON and SSE endpoints, one router per resource."""
