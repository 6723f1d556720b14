"""Run profiles: how big a notebook's data sets and trainings are."""

from __future__ import annotations

from typing import Any

__all__ = ["PROFILES", "check_profile", "profile_settings"]

#: Profiles every study notebook understands. ``quick`` runs in at most three
#: minutes and 2 GB on two cores (Binder's limits) and is what the tests run;
#: ``full`` reproduces the published scale.
PROFILES = ("quick", "full")


def check_profile(profile: str) -> str:
    """Return ``profile`` if it is one of :data:`PROFILES`, else raise naming the valid ones."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {list(PROFILES)}, got {profile!r}")
    return profile


def profile_settings(profile: str, **settings_by_profile: dict[str, Any]) -> dict[str, Any]:
    """Pick the settings of one profile, checking that every profile has the same keys.

    Parameters
    ----------
    profile : str
        One of :data:`PROFILES`.
    **settings_by_profile : dict
        One dict of settings per profile name, e.g.
        ``quick={"n_events": 300}, full={"n_events": 3000}``.

    Returns
    -------
    dict
        The settings of ``profile``.

    Examples
    --------
    >>> profile_settings("quick", quick={"n": 10}, full={"n": 1000})
    {'n': 10}
    """
    check_profile(profile)
    if set(settings_by_profile) != set(PROFILES):
        raise ValueError(f"give settings for exactly the profiles {list(PROFILES)}, got {sorted(settings_by_profile)}")
    keys = {name: set(settings) for name, settings in settings_by_profile.items()}
    if len({frozenset(k) for k in keys.values()}) != 1:
        raise ValueError(f"every profile must set the same names, got {keys}")
    return dict(settings_by_profile[profile])
