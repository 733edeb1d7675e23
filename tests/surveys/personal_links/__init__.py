"""Personal diagnostic links: only their own teacher, signed in, may open, fill or read them;
nobody else is shown a personal link, in any answer or log.

The links' world and diagnostic are in conftest.py, the shared answers and checks in helpers.py.
"""
