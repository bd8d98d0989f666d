"""The plugin object QGIS loads: registers the Processing provider."""

from __future__ import annotations

from qgis.core import QgsApplication

from .provider import InclusiecheckProvider


class InclusiecheckPlugin:
    def __init__(self, iface=None) -> None:
        self.iface = iface
        self.provider: InclusiecheckProvider | None = None

    def initProcessing(self) -> None:  # noqa: N802 - QGIS API
        if self.provider is None:
            self.provider = InclusiecheckProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802 - QGIS API
        self.initProcessing()

    def unload(self) -> None:
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
