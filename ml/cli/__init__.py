"""The command line behind `python -m ml` / `mpi`: parser and help (parser.py), result printing
(output.py), run history (runs.py) and the optional MLflow export (mlflow_export.py)."""
