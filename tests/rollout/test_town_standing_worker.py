"""The rebuild of the towns' coverage spans through a real Celery worker on Redis: a reading of
the coverage that finds a change queues it after its commit, and the worker brings the spans up
to date."""

import datetime
import time

import pytest
from django.core.cache import cache

from organizations.models import Region
from organizations.reference import load_regions
from rollout.indicators import Period, coverage, standing
from tests import factories as f
from tests.rollout.celery_helpers import forget_celery_connections


@pytest.fixture
def regions(transactional_db):
    # Transactional tests end with a flush that also empties the reference regions.
    load_regions(Region)


@pytest.fixture
def worker(request, regions):
    forget_celery_connections()
    yield request.getfixturevalue("celery_worker")
    forget_celery_connections()


def test_a_reading_that_finds_a_change_has_a_real_worker_rebuild_the_spans(worker):
    town = f.region("姜山镇")
    f.OrganizationFactory(
        kind="town_association", home_region=town, status="active", founded_on=datetime.date(2022, 1, 1)
    )
    cache.delete(standing.REBUILD_KEY)
    assert not standing.up_to_date()
    # Counted from the raw rows meanwhile: 姜山镇 has its association on 2022-12-31.
    [row] = coverage.town_coverage(Period.quarter(2022, 4), towns=[town], today=datetime.date(2026, 11, 29))
    assert row.organised
    deadline = time.monotonic() + 30
    while not standing.up_to_date() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert standing.up_to_date()
    assert standing.differences() == ([], [])
    [again] = coverage.town_coverage(Period.quarter(2022, 4), towns=[town], today=datetime.date(2026, 11, 29))
    assert again.organised and again.association_id == row.association_id
