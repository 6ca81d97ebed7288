"""Accounts: how users sign in, and what the portal keeps about it (GB/T 22239-2019 level 2,
身份鉴别 and 安全审计).

- ``models``: the log of logins, logouts and failed logins; each user's earlier password hashes
  (so that none of the last few comes back); whether a user must change an initial or reset
  password before doing anything else.
- ``passwords``: the password validators of ``AUTH_PASSWORD_VALIDATORS`` beyond Django's own
  (character classes, history).
- ``backends``: the lockout check (django-axes) in front of Django's model backend; the admin's
  model permissions of district staff, derived from the role while it is held.
- ``ratelimit``: how often the password-reset form may be sent (per mail and client address).
- ``receivers``: Django's auth signals, turned into calls of the actions below.
- ``actions``: writes (login events, lifting a lockout, requiring and recording a password
  change, pruning the login log), each audited where a person acts.
- ``selectors``: reads (the client's address, current lockouts and until when, the login log).
- ``middleware``: sends a user who must change their password to the password-change page.
- ``views``, ``forms``, ``filters``: the district staff's pages (lockouts, login log), the
  login page's lockout answer, the password-change page and the password reset by mail.

This package may import ``organizations`` (scoping, the audit helper) and django-axes; nothing
outside ``organizations`` imports it except the settings, which name its classes.
"""
