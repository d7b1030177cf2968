"""Pure numerical kernels (no classes, no global state)."""
