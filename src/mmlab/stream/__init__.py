"""The real-time stream (after Wavefier): sources, stages, transports, alerts and the live dashboard."""

__all__: list[str] = []
