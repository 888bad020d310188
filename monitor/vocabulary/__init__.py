"""What every layer agrees on, in one neutral place: which kind of document a title names and of which year
(`doctypes`, its rules as data in doc_types.yaml), and how an HTML page becomes the text that is stored and
hashed (`html_text`).

Imported by crawler/ (the spider and its pipelines), monitor/ingest (import of local files) and the pure
monitor/extract, so it imports only the standard library, PyYAML and w3lib: nothing of crawler/, db/ or the
rest of monitor/.
"""
