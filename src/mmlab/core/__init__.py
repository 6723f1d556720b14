"""The foundation every layer stands on: strain, validation, seeding, configuration, cache, statistics, state.

Nothing here imports from another mmlab layer, and nothing heavy is imported
at ``import mmlab`` (astropy, scipy's submodules, Keras load when used).
"""

__all__: list[str] = []
