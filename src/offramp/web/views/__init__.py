"""Page views: thin, they parse input, call services and selectors, and render."""
