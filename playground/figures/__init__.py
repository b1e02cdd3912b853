"""Pure Plotly figures by subject (training, data, inspection, architecture, concepts): arrays in, a figure out."""
