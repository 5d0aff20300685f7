"""MariaDB and MySQL: engine options, DDL defaults and the statements InnoDB needs its own way.

No fast reader: every read goes through the session, which is correct and, on this backend,
the only path.
"""
