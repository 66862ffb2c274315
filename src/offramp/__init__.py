"""Offramp: stopping people being drawn into serious and organised crime."""
