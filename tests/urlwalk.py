"""Every URL of the project, for the tests that must cover them all (exports, forms, the
permission matrix): ``project_urls()`` yields ``(name, view)`` for each named pattern, with its
namespaces (``services:activity_detail``). Django's admin is left out: it is Django's own, open
to district staff only, and the tests that need it check it by a rule of their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.urls import URLPattern, URLResolver, get_resolver


def _walk(patterns, namespace: tuple[str, ...] = ()) -> Iterator[tuple[str, Callable]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield ":".join((*namespace, pattern.name or "")), pattern.callback


def project_urls() -> Iterator[tuple[str, Callable]]:
    return _walk(get_resolver().url_patterns)


def list_pages(client, url: str, params: dict) -> dict[str, str]:
    """The first, second and last page of a list page as URLs (the cursors read from the page),
    for the tests that hold a list's query count equal across its pages and sizes."""
    first = client.get(url, params).context["page"]
    assert first.next_query and first.last_query, url
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return {
        "first": f"{url}?{query}",
        "next": f"{url}?{first.next_query}",
        "last": f"{url}?{first.last_query}",
    }
