"""The inclusiecheck command for this QGIS: settings, PATH or the plugin's own environment."""

from __future__ import annotations

from pathlib import Path

from qgis.core import QgsApplication, QgsProcessingException, QgsSettings

from .runner import CliError, bundled_wheels, create_venv, find_cli, proxy_url

#: Processing setting (Processing options > Providers > inclusiecheck)
SETTING_CLI = "INCLUSIECHECK_CLI"
PLUGIN_DIR = Path(__file__).resolve().parent


def setting_value() -> str:
    try:
        from processing.core.ProcessingConfig import ProcessingConfig

        value = ProcessingConfig.getSetting(SETTING_CLI)
    except ImportError:  # Processing not loaded: read the stored value directly
        value = QgsSettings().value(f"Processing/Configuration/{SETTING_CLI}", "")
    return str(value or "")


def venv_dir() -> Path:
    """Where the plugin creates its own environment (in the user profile's folder)."""
    return Path(QgsApplication.qgisSettingsDirPath()) / "inclusiecheck" / "venv"


def qgis_proxy() -> str | None:
    """QGIS's proxy (Settings > Options > Network) as a URL for pip."""
    settings = QgsSettings()
    enabled = str(settings.value("proxy/proxyEnabled", "false")).lower() in ("true", "1")
    return proxy_url(enabled, str(settings.value("proxy/proxyHost", "") or ""),
                     settings.value("proxy/proxyPort", "") or None,
                     str(settings.value("proxy/proxyUser", "") or ""),
                     str(settings.value("proxy/proxyPassword", "") or ""))


def inclusiecheck_command(feedback=None) -> list[str]:
    """The command that runs inclusiecheck; creates the plugin's environment if needed.

    Raises
    ------
    QgsProcessingException
        One readable message when there is no usable inclusiecheck.
    """
    try:
        command = find_cli(setting_value(), venv_dir())
        if command is None:
            log = feedback.pushConsoleInfo if feedback is not None else (lambda _m: None)
            canceled = feedback.isCanceled if feedback is not None else (lambda: False)
            if feedback is not None:
                feedback.pushInfo("inclusiecheck is not set up yet: creating its environment "
                                  "from the wheel bundled with the plugin")
            command = create_venv(venv_dir(), bundled_wheels(PLUGIN_DIR), proxy=qgis_proxy(),
                                  log=log, is_canceled=canceled)
    except CliError as exc:
        raise QgsProcessingException(str(exc)) from None
    return command
