"""SageMaker job scripts. They run inside the scikit-learn container and import siblings by
their bare module names, so this folder must be on sys.path (SageMaker puts the script's own
folder there)."""
