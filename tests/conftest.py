"""Shared fixtures."""
import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def learner(db):
    return get_user_model().objects.create_user("learner", email="learner@example.com", password="pw")


@pytest.fixture
def other_learner(db):
    return get_user_model().objects.create_user("other", email="other@example.com", password="pw")


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_superuser("operator", email="op@example.com", password="pw")
