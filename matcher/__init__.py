"""matcher: form developer + partner pairs under per-region quotas."""

__version__ = "0.1.0"
