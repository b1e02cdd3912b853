"""Deep Learning Playground: compose, train and look inside neural networks (library part)."""

__version__ = "0.1.0"
