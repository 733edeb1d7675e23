"""Every endpoint of every service, with each role and scope: who gets in and who does not.

The matrix's rows live in `endpoints/` (one module per area, assembled in `endpoints.TABLE`);
`cases.py` holds the principals and how a row is called; `conftest.py` the world. A new
endpoint must join a row: `test_every_endpoint_is_listed.py` fails until it does.
Principals of M1 (analyst, methodologist, viewer) and of school S1 (leader, teacher, the API key)
are tried on a target inside their scope and on one outside it (in M2 / school S3).
"""
