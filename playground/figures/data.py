"""Pure Plotly figures that show a dataset: per-class counts and a grid of sample images."""

import numpy as np
import plotly.graph_objects as go

OKABE_ITO = ("#0072B2", "#E69F00")


def class_counts_figure(counts: dict[str, tuple[int, int]], train_label: str, test_label: str, axis_label: str):
    """Grouped bars: training and test images per class."""
    names = list(counts)
    fig = go.Figure()
    fig.add_bar(x=names, y=[c[0] for c in counts.values()], name=train_label, marker_color=OKABE_ITO[0])
    fig.add_bar(x=names, y=[c[1] for c in counts.values()], name=test_label, marker_color=OKABE_ITO[1])
    fig.update_layout(
        barmode="group",
        height=300,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": axis_label, "type": "category"},
        legend={"orientation": "h", "y": 1.15},
    )
    return fig


def sample_grid(samples: dict[int, np.ndarray], gap: int = 2) -> np.ndarray:
    """One uint8 image with a row of sample digits per class, separated by gap pixels of mid grey."""
    rows = []
    for images in samples.values():
        height, width = images.shape[1:]
        row = np.full((height, len(images) * (width + gap) - gap), 128, np.uint8)
        for index, image in enumerate(images):
            row[:, index * (width + gap) : index * (width + gap) + width] = image
        rows.append(row)
    width = max(row.shape[1] for row in rows)
    grid = np.full((len(rows) * (rows[0].shape[0] + gap) - gap, width), 128, np.uint8)
    for index, row in enumerate(rows):
        top = index * (row.shape[0] + gap)
        grid[top : top + row.shape[0], : row.shape[1]] = row
    return grid
