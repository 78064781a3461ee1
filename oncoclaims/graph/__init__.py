"""The graph: the store, opening it ready for use, analysis and export."""

__all__: list[str] = []
