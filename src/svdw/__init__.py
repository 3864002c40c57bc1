"""Serious Violence Duty warehouse: contract-driven ingestion, dbt star schema, SNA dashboards."""

__version__ = "0.1.0"
