"""Split settings: base, local (demo and development), test and production."""
