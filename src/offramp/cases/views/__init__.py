"""The case and panel pages. Every page works without JavaScript."""
