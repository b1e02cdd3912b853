"""The Build page's glue: the layer editor."""
