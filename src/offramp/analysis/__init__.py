"""Pure-Python analysis engines over arrays and frames. No Django imports here."""
