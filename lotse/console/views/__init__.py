"""The console's pages, one module per feature; each has `register(router)`."""
