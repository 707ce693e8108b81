"""The registries, in the order they are read: each may refer only to those before it."""

from __future__ import annotations

from ..registry import RegistrySpec
from . import (
    activities,
    indicators,
    decisions,
    follow_up,
    networks,
    organisations,
    partners,
    partnerships,
    programmes,
    projects,
)

REGISTRIES: dict[str, RegistrySpec] = {
    spec.name: spec
    for spec in (
        organisations.SPEC,
        partners.SPEC,
        programmes.SPEC,
        networks.SPEC,
        projects.SPEC,
        activities.SPEC,
        partnerships.SPEC,
        indicators.SPEC,
        decisions.SPEC,
        follow_up.SPEC,
    )
}
