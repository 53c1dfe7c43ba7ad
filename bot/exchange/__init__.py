"""This package contains the file formats and transports of export and import.

``table`` lays exported rows out as columns (shared by CSV and XLSX), ``csv_files`` writes and
reads CSV (Excel's UTF-8 with BOM, or the Latvian ``;`` and decimal comma variant),
``xlsx_files`` writes Excel workbooks with openpyxl, ``json_files`` writes the documented JSON
(``docs/export-format.md``), ``commands`` runs ``controlbot export`` and ``controlbot import``,
and ``api`` serves ``POST /api/measurements``.
"""
