"""Lotse's custom actions, one module per feature. Domain logic lives in the `lotse` package."""
