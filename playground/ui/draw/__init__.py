"""The Draw page's glue: inputs (which model, and the drawing, test image or photo it reads) and panels (prediction,
inside the network, the test set). views/draw.py wires them together."""
