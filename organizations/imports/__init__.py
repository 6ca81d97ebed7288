"""Imports of rosters and ledgers from spreadsheets (see ``engine``)."""
