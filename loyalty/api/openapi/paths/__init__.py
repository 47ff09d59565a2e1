"""One module per endpoint group. Each has ``TAG``, ``DESCRIPTION``, ``DRAFT`` (True while
written from the reference rather than from our code), ``SCHEMAS`` and ``paths()``.
The builder lists them in ``GROUPS``; filling in a group at merge is an edit here only."""
