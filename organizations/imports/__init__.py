"""Imports of rosters and ledgers from spreadsheets (XLSX, also from WPS, and CSV).

What this package owns: the record of each import (``models``: the batch and its rows), who
may see it (``scoping``), reading a file to its header and data rows (``reading``), header
matching and cell parsers (``cleaning``), the engine every kind of import shares (``engine``:
``Importer``, ``evaluate``, the registry), the writes of an import (``actions``: upload and dry
run, commit, discard), the member and leader importers (``people``), the downloadable templates
(``template``) and rejected-rows files (``rejected``), the pages (``views``, ``forms``) and the
Celery tasks (``tasks``).

What it may import: ``organizations`` (its models, actions, selectors and scoping) and
``sanhui``; never ``services``, ``outreach`` or ``rollout``. Apps that build on the organisations
register an ``Importer`` of their own from their ``AppConfig.ready`` (``engine.register``), and
the pages, actions, tasks and commands here serve it with nothing more.
"""
