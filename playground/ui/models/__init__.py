"""The My models page's glue: bundle and .keras files, own image sets."""
