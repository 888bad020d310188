"""Local files as documents: reading .txt/.html/.pdf/.docx into text (`files`), placing a file by region, year
and type (`placing`) and storing them (`backfill`, behind `govmon import`).
"""
