"""The label catalogue and the report's UI catalogues are read with the project's safe YAML
loader (libyaml where PyYAML has it): the data PyYAML's own safe loader gives."""

from __future__ import annotations

from importlib import resources

import yaml

from inclusiecheck.model.labels import catalogue
from inclusiecheck.report.viewmodel import LANGS, load_catalogue


def test_label_catalogue_is_what_the_safe_loader_reads() -> None:
    text = (resources.files("inclusiecheck.model") / "labels.yaml").read_text(encoding="utf-8")
    want = yaml.safe_load(text)
    assert isinstance(want, dict) and want
    assert catalogue() == want


def test_ui_catalogues_are_what_the_safe_loader_reads() -> None:
    for lang in LANGS:
        text = (resources.files("inclusiecheck.report") / "locales" / f"{lang}.yaml"
                ).read_text(encoding="utf-8")
        want = {str(k): str(v) for k, v in yaml.safe_load(text).items()}
        assert load_catalogue(lang) == want and want
