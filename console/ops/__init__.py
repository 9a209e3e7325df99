"""console/ops."""
