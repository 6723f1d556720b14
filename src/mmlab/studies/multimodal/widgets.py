"""Widgets of the multimodal study: one BNS event at a chosen distance, seen in both messengers."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from mmlab.core.cosmology import redshift_from_distance
from mmlab.studies.multimodal.datasets import (
    PopulationConfig,
    distance_limits,
    draw_population,
    grb_light_curve,
    gw_map,
    gw_map_frequencies,
)
from mmlab.studies.multimodal.plots import multimodal_event_figure
from mmlab.viz.live import live_figure

if TYPE_CHECKING:
    import ipywidgets

__all__ = ["event_viewer"]


def event_viewer(config: PopulationConfig, distance: float = 100.0, seed: int = 0) -> ipywidgets.VBox:
    """Simulate one BNS event of a population at a chosen distance and see both modalities.

    Parameters
    ----------
    config : PopulationConfig
        The population (its distance range bounds the slider).
    distance : float
        Initial luminosity distance, Mpc (inside the population's range).
    seed : int
        Seed of the other parameters (masses, sky, afterglow) and of the noise.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as widgets

    config.check_distance(distance)
    low, high = distance_limits(config)
    slider = widgets.FloatLogSlider(value=distance, base=10, min=np.log10(max(low, 1e-3)), max=np.log10(high),
                                    step=0.01, description="distance [Mpc]", continuous_update=False,
                                    style={"description_width": "110px"})
    seed_box = widgets.BoundedIntText(value=seed, min=0, max=2**31 - 1, description="seed")
    status = widgets.HTML()

    def figure():
        drawn = draw_population(dataclasses.replace(config, n_events=10), seed_box.value)
        event = {name: values[0] for name, values in drawn.items()}
        event["distance"] = config.check_distance(float(np.clip(slider.value, low, high)))
        event["redshift"] = float(redshift_from_distance(event["distance"]))
        rng = np.random.default_rng(seed_box.value)
        status.value = (f"d<sub>L</sub> = {event['distance']:.1f} Mpc, z = <b>{event['redshift']:.4f}</b>; masses "
                        f"{event['mass1']:.2f} + {event['mass2']:.2f} M☉; E<sub>iso</sub> = {event['e_iso']:.2e} erg, "
                        f"n<sub>0</sub> = {event['n0']:.2e} cm⁻³, seen {np.degrees(event['theta_obs']):.1f}° off axis")
        return multimodal_event_figure(gw_map(event, config, rng), gw_map_frequencies(config),
                                       grb_light_curve(event, config, rng), config.bins.centres, config.gw_seconds)

    return widgets.VBox([widgets.HBox([slider, seed_box]), status, live_figure(figure, [slider, seed_box], status)])
