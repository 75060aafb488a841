"""Printed reports: one layout module per report (HTML and CSS that serve both the app's print
view and the PDF), the shared page furniture in ``layout``, the PDF in ``pdf``, Excel in
``workbook``. Layouts take the services' read models and the reader's locale and never import
Streamlit, so tests and benchmarks render them alone; ``ui.report_buttons`` puts them on pages.
"""
