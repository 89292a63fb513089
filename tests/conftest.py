"""Fixtures shared by the test packages, which mirror the grader's and the course's:
sandbox/, intake/, grading/, outputs/, run/ (autograder/), solutions/, book/; the helpers
they share are the modules beside this file (grading_helpers, reference_helpers, ...)."""

import pytest
from grading_helpers import NO_HOST, close_pools, course_of_this_checkout


@pytest.fixture(scope="session", autouse=True)
def sandbox_pools():
    """The pools of sandboxes started ahead (grading_helpers.pool) live for the session."""
    yield
    close_pools()


@pytest.fixture(scope="session")
def course():
    """This checkout's course: its source notebooks and reference, loaded once."""
    return course_of_this_checkout()


@pytest.fixture
def no_host():
    """The host of a sandbox test whose cells ask for neither checks nor references."""
    return NO_HOST
