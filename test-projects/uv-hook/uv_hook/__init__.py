"""hatch-torch sample package."""
