"""Closing a finished quarter and the supervision report issued when it is closed (as DHIS2
approves a period's data).

Owns: the closings of quarters and their reopenings (``QuarterClosing``, one row a closing,
its reopening recorded on the same row), the issued reports with their 文号 and stored files
(``IssuedReport``, ``IssuedReportFile``, written once and never changed), the yearly 文号
sequence (``ReportNumberSequence``); their writes (``actions``: close, reopen, issue), reads
(``selectors``: the quarters and their state, the issued figures and what differs from them
now), who may see them (``scoping``), pages and forms (``views``, ``forms``; the URLs are in
``rollout.reports.urls``). While a quarter is closed its ledger is locked for organisation
admins by ``services.ledger_lock``, which asks ``selectors.closed_quarter_on``.

May import: ``rollout.reports`` (``build_report``, ``render`` and the report model, as they
are), ``rollout.indicators`` (``Period``), ``rollout.models``, ``organizations`` (scoping, the
audit trail) and ``services`` (the ledger lock). Nothing else in ``rollout.reports`` imports it.
"""
