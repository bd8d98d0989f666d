"""inclusiecheck for QGIS: a Processing provider that runs the inclusiecheck command.

Thin by design: no rule logic, and neither inclusiecheck nor its dependencies are imported
into QGIS (they need shapely 2, pydantic 2 and their own GDAL); the plugin exports the chosen
layers with QGIS's writer and runs ``inclusiecheck`` of a separate environment.
"""


def classFactory(iface):  # noqa: N802 - QGIS API
    from .plugin import InclusiecheckPlugin

    return InclusiecheckPlugin(iface)
