"""The orders API: prices an order and answers health checks."""
