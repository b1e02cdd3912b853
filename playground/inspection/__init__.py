"""Looking inside a trained model: one compiled call for prediction, activations and saliency; evaluation."""
