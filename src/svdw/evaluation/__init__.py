"""Programme evaluation: each programme's participants against a matched comparison group.

`panel` holds the person-level inputs (read from the marts, pseudonymised; never published),
`matching` builds the comparison group and its balance table, `effects` estimates the
difference-in-differences and its verdict, `engine.evaluate` runs them for every programme and
outcome, and `publish` writes the aggregate results for the disclosure-controlled `sna` models.
docs/evaluation.md explains the method and its limits.
"""
