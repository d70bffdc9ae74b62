"""Renewal Radar: renewal and retention analytics from raw CRM, billing and product exports."""

__version__ = "0.1.0"
