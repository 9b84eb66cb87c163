"""Industry agent toolkit: scaffold, run and evaluate industry agent projects offline."""

__version__ = "0.1.0"

__all__ = ["__version__"]
