"""Concept explorers: activations, losses, optimizers and back-propagation, computed by Keras itself."""
