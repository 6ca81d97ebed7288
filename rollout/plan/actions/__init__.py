"""Writes to the rollout, one module per kind of record (as Zulip lays out ``zerver/actions``):
``phases`` (phases, stages, milestones), ``tasks``, ``pilots``, ``steering``, ``inspections``,
``rectifications``, ``showcase``, ``incentives`` and ``term_reminders``; ``checks`` holds the
permission and validation helpers they share.

Every change goes through one of these functions, whoever asks (views, commands, tasks). Each
is atomic, checks the actor's scope, validates with Chinese messages keyed by field, saves,
and records history: status changes and progress notes of tasks and rectification items as
rows of their own history (shown on their pages), everything else in the audit trail.
"""
