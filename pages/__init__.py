"""Screens. Each module only defines ``render()``; ``app.py`` registers it with ``st.Page``.

Nothing here draws at import time: a fresh server may run these files directly, before any
session has run ``app.py`` (see docs: streamlit-recipes §1.1), and must then show nothing.
"""
