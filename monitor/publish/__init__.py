"""Turning views into bytes: Jinja2 rendering of e-mail, archive pages and Atom (`render`), and the archive's
pages read from the database and written as a static site or served live (`site`).

May import the pure packages, `monitor.service` and `templates/`; never a face.
"""
