"""Looking inside a trained model, for the Draw page and the CLI.

- inspector: one compiled call per architecture (probabilities, every layer's activation, saliency), weights swapped in
- evaluation: the model on a test split (confusion matrix, per-class accuracy, mistakes), remembered
- weights: a trained model's weights grouped by spec layer; the first layer's filters as pictures
- demo: the bundled demo model

"How was this number computed" joins as one more module beside these: it reads the activations an Inspection holds
(a layer's input is the previous layer's activation, or the image) and the layer's own arrays from weights.by_layer.
"""
