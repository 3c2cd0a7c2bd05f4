"""Hypothesis settings shared by the fuzz tests: modest in the normal run (and CI), many more
examples with ``KLACHTDESK_FUZZ=deep``."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def fuzz_settings(examples: int, deep_examples: int, *suppress: HealthCheck) -> settings:
    deep = os.environ.get("KLACHTDESK_FUZZ") == "deep"
    return settings(
        max_examples=deep_examples if deep else examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, *suppress],
    )
