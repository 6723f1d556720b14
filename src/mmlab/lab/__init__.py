"""Running the lab: headless notebook execution, the run report, the ``mmlab`` command."""

__all__: list[str] = []
