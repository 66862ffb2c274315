"""Who may do what, and the one scoping selector that decides who may see whom."""
