"""Demo content of the e-forms app, for `manage.py load_demo`: the e-forms
first (`eforms.demo_forms`), then the demo dossiers that stand on them
(`eforms.demo_dossiers`)."""

from eforms import demo_dossiers, demo_forms


def load(stdout) -> None:
    demo_forms.load(stdout)
    demo_dossiers.load(stdout)
