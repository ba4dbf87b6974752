"""ducha (督查): compliance checking of environmental-governance obligations.

The pipeline is the layout: load → validate → dataset (model) → aggregate (kinds) → facts →
engine → outcomes → report. Only :mod:`checker.engine` imports durable_rules.
"""
__version__ = "0.1.0"
