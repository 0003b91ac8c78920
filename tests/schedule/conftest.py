"""Schedule test helpers: rounds and proposals for audiences (kept here so other features' factories stay theirs)."""
