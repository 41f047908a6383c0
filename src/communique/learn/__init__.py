"""Training of the pipeline's learned models (needs the `train` extra). Inference lives with each
stage; this package only fits and exports."""
