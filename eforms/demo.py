"""Demo content of the e-forms app, for `manage.py load_demo`: the e-forms
first (`eforms.demo_forms`, when present), then the demo dossiers that
stand on them (`eforms.demo_dossiers`)."""

import importlib


def load(stdout) -> None:
    for name in ("eforms.demo_forms", "eforms.demo_dossiers"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.load(stdout)
