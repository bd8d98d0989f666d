"""The Processing provider ``inclusiecheck``: check plan, compare versions, create empty plan."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms import CheckPlan, ComparePlanVersions, CreateEmptyPlan
from .environment import SETTING_CLI

ICON = Path(__file__).resolve().parent / "icon.svg"


class InclusiecheckProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "inclusiecheck"

    def name(self) -> str:
        return "inclusiecheck"

    def longName(self) -> str:  # noqa: N802 - QGIS API
        return "inclusiecheck: inclusion review of public-space designs"

    def icon(self):
        return QIcon(str(ICON))

    def load(self) -> bool:
        try:
            from processing.core.ProcessingConfig import ProcessingConfig, Setting
        except ImportError:  # Processing's Python part is not loaded (e.g. a bare app)
            return super().load()
        ProcessingConfig.settingIcons[self.name()] = self.icon()
        ProcessingConfig.addSetting(Setting(
            self.name(), SETTING_CLI,
            "inclusiecheck command (path of the inclusiecheck program or of its virtual "
            "environment; empty: inclusiecheck on PATH, else the plugin's own environment)",
            "", valuetype=Setting.FILE))
        ProcessingConfig.readSettings()
        return super().load()

    def unload(self) -> None:
        try:
            from processing.core.ProcessingConfig import ProcessingConfig

            ProcessingConfig.removeSetting(SETTING_CLI)
        except ImportError:
            pass

    def loadAlgorithms(self) -> None:  # noqa: N802 - QGIS API
        for algorithm in (CheckPlan(), ComparePlanVersions(), CreateEmptyPlan()):
            self.addAlgorithm(algorithm)
