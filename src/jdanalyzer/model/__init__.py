"""The role model: feature spec, scikit-learn pipeline, array model, evidence, artifacts,
prediction, training and the model card. Prediction (``predict``) needs neither
scikit-learn nor SciPy; only ``training`` and the pipeline modules import them."""
