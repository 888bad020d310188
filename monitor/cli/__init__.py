"""The `govmon` command line, one module per area (`root` builds the group, `app` is what every command receives).

A face: commands parse options, call `monitor.service` (or the ops layer) and print; they open no database
session and touch no ORM model.
"""
