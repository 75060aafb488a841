"""Use cases: one function per user intent, the permission table, settings and typed errors.

Nothing here imports Streamlit; pages call these functions through ``ui.context``.
"""
